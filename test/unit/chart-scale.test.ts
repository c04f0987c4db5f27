// The run charts' shared scale: integer step ticks, the full x range, epoch ends from (step, epoch) logs, and
// the zoom every chart of a run follows.
import { describe, expect, it } from 'vitest';
import {
  ChartZoom,
  fullStepRange,
  noteEpochEnd,
  STEP_INCREMENTS,
  stepTick,
} from '../../src/ui/train/chart-scale';

describe('chart scale', () => {
  it('ticks whole steps only, 1-2-5 apart', () => {
    expect(STEP_INCREMENTS.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(STEP_INCREMENTS.every(Number.isInteger)).toBe(true);
    expect([0, 5, 50000, 2.5].map(stepTick)).toEqual(['0', '5', '50,000', '']);
  });

  it('spans 0 to the planned last step, or further when the data goes on', () => {
    expect(fullStepRange(57, 12)).toEqual([0, 57]);
    expect(fullStepRange(57, 60)).toEqual([0, 60]);
    expect(fullStepRange(0, undefined)).toEqual([0, 1]);
  });

  it('notes the first logged step of each finished epoch', () => {
    // 3 steps per epoch, logged every 2 steps: epochs 0.667, 1.333, 2, 2.667, 3 (as floating point gives them).
    const ends: number[] = [];
    for (const step of [2, 4, 6, 8, 9]) noteEpochEnd(ends, step, (step / 3) * (1 - 1e-12));
    expect(ends).toEqual([4, 6, 9]);
  });

  it('shares one zoom, ignoring empty ranges', () => {
    const zoom = new ChartZoom();
    const seen: ([number, number] | undefined)[] = [];
    const stop = zoom.subscribe(() => seen.push(zoom.range));
    zoom.set([10, 20]);
    zoom.set([5, 5]);
    zoom.set(undefined);
    stop();
    zoom.set([1, 2]);
    expect(seen).toEqual([[10, 20], undefined]);
  });
});
