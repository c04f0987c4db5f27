// What the run charts share, outside React and uPlot: the x range every chart of a run shows (0 to the run's
// last step, or the range the person zoomed to, on all charts at once), integer step ticks, and the steps where
// epochs end. Plain numbers, so Node tests check them.

/** Tick spacings for a step axis: 1, 2, 5, 10, 20, 50, … (never a fraction of a step). */
export const STEP_INCREMENTS: readonly number[] = Array.from(
  { length: 24 },
  (_v, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3),
);

/** A step axis tick: an integer, with thousands separated so 50,000 reads at a glance. */
export function stepTick(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en') : '';
}

/** The x range of a run's charts when not zoomed: from 0 to the planned last step (or further, if data goes on). */
export function fullStepRange(totalSteps: number, dataMax: number | undefined): [number, number] {
  return [0, Math.max(1, totalSteps, dataMax ?? 0)];
}

/**
 * The shared zoom of a run's charts: undefined shows the full range; a drag on any chart sets it for all of
 * them, and "Reset zoom" clears it.
 */
export class ChartZoom {
  range: [number, number] | undefined;
  private listeners = new Set<() => void>();

  set(range: [number, number] | undefined): void {
    if (range && !(range[1] > range[0])) return;
    this.range = range;
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Tracks the steps at which epochs end from the log records' (step, epoch) pairs: epoch k ends at the first
 * logged step whose epoch reaches k. O(1) per record.
 */
export function noteEpochEnd(epochEnds: number[], step: number, epoch: number): void {
  // Epochs are fractions like 2.9999999 for 3 steps of 3 in floating point: a small tolerance.
  const done = Math.floor(epoch + 1e-9);
  while (epochEnds.length < done) epochEnds.push(step);
}
