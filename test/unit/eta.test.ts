// The Watch panel's ETA: a smoothed pace per step, counting down between log records.
import { describe, expect, it } from 'vitest';
import { etaSeconds, nextClock, type PacedClock } from '../../src/ui/train/eta';

const start: PacedClock = { elapsed: 0, at: 0, step: 0 };

describe('the smoothed ETA', () => {
  it('takes the first pace as it is, then moves a fifth of the way to each new one', () => {
    const a = nextClock(start, 10, 20, 1000); // 2 s per step
    expect(a.secondsPerStep).toBe(2);
    expect(etaSeconds(a, 110, 20)).toBe(200);
    // One slow stretch (an evaluation, a checkpoint): 12 s per step for 10 steps moves the pace to 4, not 12.
    const b = nextClock(a, 20, 140, 2000);
    expect(b.secondsPerStep).toBeCloseTo(4, 12);
    expect(etaSeconds(b, 110, 140)).toBeCloseTo(360, 9);
  });

  it('counts down with the clock between records, never below zero, and waits for a pace', () => {
    expect(etaSeconds(start, 100, 5)).toBeUndefined();
    const a = nextClock(start, 10, 20, 1000);
    expect(etaSeconds(a, 110, 50)).toBe(170);
    expect(etaSeconds(a, 110, 500)).toBe(0);
    // A record at the same step (an evaluation's) leaves the pace and the clock as they were.
    expect(nextClock(a, 10, 25, 1500)).toBe(a);
  });
});
