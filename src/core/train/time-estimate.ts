// A run's estimated time before Start, without TensorFlow.js: the measured seconds of one micro-batch (the
// worker times a few with warm-up.ts's measureMicroBatchSeconds) times the micro-batches the run goes through,
// plus an allowance for its evaluations. Only the measurement needs tensors; the page recomputes the estimate
// from it as epochs, accumulation or the evaluation settings change.
import type { TrainingArguments } from './arguments';
import { countTrainingSteps } from './steps';

/**
 * The share of a training pass an evaluation pass costs per example: forward only, and the backward pass
 * costs about twice the forward, so about a third.
 */
export const FORWARD_SHARE = 1 / 3;

/**
 * How many evaluations the trainer runs: one per eval_steps steps (unset: logging_steps, as
 * resolveTrainingArguments and transformers default it), or one at the end of each epoch begun.
 */
export function evaluationCount(
  args: Pick<TrainingArguments, 'eval_strategy' | 'eval_steps' | 'logging_steps'>,
  totalSteps: number,
  updatesPerEpoch: number,
): number {
  if (args.eval_strategy === 'steps') return Math.floor(totalSteps / (args.eval_steps ?? args.logging_steps));
  if (args.eval_strategy === 'epoch') return Math.ceil(totalSteps / updatesPerEpoch);
  return 0;
}

/**
 * Estimated seconds of a run: every optimizer step runs gradient_accumulation_steps micro-batches at the
 * measured pace (an epoch's last step may run fewer, so this errs long), and each evaluation its own seconds.
 * Checkpoint writes and the optimizer update are not counted: they are small beside the passes.
 */
export function estimateTrainingSeconds({
  secondsPerMicroBatch,
  totalSteps,
  gradientAccumulationSteps,
  evaluations = 0,
  secondsPerEvaluation = 0,
}: {
  secondsPerMicroBatch: number;
  totalSteps: number;
  gradientAccumulationSteps: number;
  evaluations?: number;
  secondsPerEvaluation?: number;
}): number {
  for (const [name, value] of Object.entries({
    secondsPerMicroBatch,
    totalSteps,
    gradientAccumulationSteps,
    evaluations,
    secondsPerEvaluation,
  }))
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be ≥ 0, got ${value}`);
  return secondsPerMicroBatch * totalSteps * gradientAccumulationSteps + evaluations * secondsPerEvaluation;
}

/** What the worker measured before Start, for one shape of batch (batch size, max length, mode, model). */
export interface StepTiming {
  /** Seconds of one forward and backward pass of `batchSize` examples (the longest ones). */
  secondsPerMicroBatch: number;
  /** per_device_train_batch_size of the measured passes. */
  batchSize: number;
  /** Validation examples each evaluation goes through. */
  evalExamples: number;
}

/**
 * The estimated seconds of a run of `trainExamples` under `args`, from a measurement: its steps as the trainer
 * counts them, and each evaluation as the validation examples' forward passes at the measured pace per example.
 */
export function runSecondsEstimate(
  timing: StepTiming,
  trainExamples: number,
  args: Pick<
    TrainingArguments,
    | 'per_device_train_batch_size'
    | 'gradient_accumulation_steps'
    | 'num_train_epochs'
    | 'eval_strategy'
    | 'eval_steps'
    | 'logging_steps'
  >,
): number {
  const { totalSteps, updatesPerEpoch } = countTrainingSteps(trainExamples, args);
  const secondsPerExample = timing.secondsPerMicroBatch / timing.batchSize;
  return estimateTrainingSeconds({
    secondsPerMicroBatch: timing.secondsPerMicroBatch,
    totalSteps,
    gradientAccumulationSteps: args.gradient_accumulation_steps,
    evaluations: evaluationCount(args, totalSteps, updatesPerEpoch),
    secondsPerEvaluation: timing.evalExamples * secondsPerExample * FORWARD_SHARE,
  });
}
