// The ETA the Watch panel shows, smoothed: seconds per step are an exponential moving average over the steps
// between log records (so one slow step, an evaluation or a checkpoint write does not make it jump), and between
// records the estimate counts down with the clock instead of growing with it.

/** The run's clock at its latest log record, with the smoothed pace so far. */
export interface PacedClock {
  /** Training seconds at the latest record. */
  elapsed: number;
  /** performance.now() when that record arrived. */
  at: number;
  /** The step of the latest record (0 before any). */
  step: number;
  /** Smoothed seconds per optimizer step; undefined until two records (or one after a start) give a pace. */
  secondsPerStep?: number;
}

/** The weight of the newest pace in the average (0.2: about the last ten records count). */
const WEIGHT = 0.2;

/** The clock after a log record of `step` at `elapsed` training seconds. */
export function nextClock(previous: PacedClock, step: number, elapsed: number, now: number): PacedClock {
  // An evaluation's record (same step) leaves the clock: its time goes into the pace of the next steps.
  if (step <= previous.step) return previous;
  const pace = (elapsed - previous.elapsed) / (step - previous.step);
  const secondsPerStep =
    previous.secondsPerStep === undefined
      ? pace
      : previous.secondsPerStep + WEIGHT * (pace - previous.secondsPerStep);
  return { elapsed, at: now, step, secondsPerStep };
}

/** Seconds left: the steps after the latest record at the smoothed pace, less the time since that record. */
export function etaSeconds(clock: PacedClock, totalSteps: number, elapsedNow: number): number | undefined {
  if (clock.secondsPerStep === undefined) return undefined;
  const left = (totalSteps - clock.step) * clock.secondsPerStep - (elapsedNow - clock.elapsed);
  return Math.max(0, left);
}
