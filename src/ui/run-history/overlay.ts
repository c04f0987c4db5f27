// Lines up several runs' curves of one metric on a shared step axis, as uPlot wants its data: one x array and
// one y array per run, with null where a run has no value at that step (drawn as a gap-spanning line).
import type { RunLogEntry, RunSummary } from './types';

export type OverlayData = [number[], ...(number | null)[][]];

export function overlaySeries(histories: readonly (readonly RunLogEntry[])[], metric: string): OverlayData {
  const steps = new Set<number>();
  const byRun = histories.map((history) => {
    const values = new Map<number, number>();
    for (const entry of history) {
      const value = entry[metric];
      if (typeof value === 'number' && Number.isFinite(value)) {
        values.set(entry.step, value);
        steps.add(entry.step);
      }
    }
    return values;
  });
  const xs = [...steps].sort((a, b) => a - b);
  return [xs, ...byRun.map((values) => xs.map((x) => values.get(x) ?? null))];
}

/** The metrics any of the runs logged, training ones first, in a stable order. */
export function loggedMetrics(histories: readonly (readonly RunLogEntry[])[]): string[] {
  const names = new Set<string>();
  for (const history of histories) {
    for (const entry of history) {
      for (const [key, value] of Object.entries(entry)) {
        if (key !== 'step' && key !== 'epoch' && typeof value === 'number') names.add(key);
      }
    }
  }
  return [...names].sort(
    (a, b) => Number(a.startsWith('eval_')) - Number(b.startsWith('eval_')) || a.localeCompare(b),
  );
}

/** The settings of several runs side by side: every name any run has, with each run's value or "—". */
export function settingsSideBySide(
  runs: readonly RunSummary[],
): { name: string; values: string[]; differs: boolean }[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.settings)))].sort();
  return names.map((name) => {
    const values = runs.map((r) => {
      const value = r.settings[name];
      return value === undefined ? '—' : String(value);
    });
    return { name, values, differs: new Set(values).size > 1 };
  });
}
