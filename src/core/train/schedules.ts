// Learning-rate schedules with the definitions of transformers' `get_scheduler` (a LambdaLR multiplier on the
// base rate): the rate used for optimizer step k (0-based) is baseLr · factor(k), so with warmup the very first
// update uses rate 0, exactly as in the Trainer.

export const SCHEDULER_TYPES = ['linear', 'cosine', 'constant', 'constant_with_warmup'] as const;
export type SchedulerType = (typeof SCHEDULER_TYPES)[number];

/** transformers' `TrainingArguments.get_warmup_steps`: explicit steps win, else ceil(total × ratio). */
export function getWarmupSteps(numTrainingSteps: number, warmupRatio = 0, warmupSteps = 0): number {
  return warmupSteps > 0 ? warmupSteps : Math.ceil(numTrainingSteps * warmupRatio);
}

export interface ScheduleOptions {
  type: SchedulerType;
  numWarmupSteps: number;
  numTrainingSteps: number;
  /** Cosine only: the number of half-waves (transformers' default 0.5 goes from 1 down to 0 once). */
  numCycles?: number;
}

/** The multiplier of the base learning rate at optimizer step `step`. */
export function lrFactor(step: number, options: ScheduleOptions): number {
  const { type, numWarmupSteps: warmup, numTrainingSteps: total } = options;
  if (type === 'constant') return 1;
  if (step < warmup) return step / Math.max(1, warmup);
  switch (type) {
    case 'constant_with_warmup':
      return 1;
    case 'linear':
      return Math.max(0, (total - step) / Math.max(1, total - warmup));
    case 'cosine': {
      const progress = (step - warmup) / Math.max(1, total - warmup);
      const cycles = options.numCycles ?? 0.5;
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * cycles * 2 * progress)));
    }
  }
}

/** A step → learning-rate function for a base rate and schedule. */
export function createSchedule(baseLr: number, options: ScheduleOptions): (step: number) => number {
  if (!SCHEDULER_TYPES.includes(options.type))
    throw new Error(`Unknown lr_scheduler_type "${options.type}"; use one of ${SCHEDULER_TYPES.join(', ')}`);
  return (step) => baseLr * lrFactor(step, options);
}
