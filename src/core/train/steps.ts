// How many optimizer steps a run takes, without TensorFlow.js: the trainer loops on it, the CLI prints it and the
// page shows it before Start.
import type { TrainingArguments } from './arguments';

/** ceil(micro-batches / accumulation) per epoch, times the epochs (rounded up), as the Trainer counts. */
export function countTrainingSteps(
  numExamples: number,
  args: Pick<
    TrainingArguments,
    'per_device_train_batch_size' | 'gradient_accumulation_steps' | 'num_train_epochs'
  >,
): {
  updatesPerEpoch: number;
  totalSteps: number;
} {
  const batchesPerEpoch = Math.ceil(numExamples / args.per_device_train_batch_size);
  const updatesPerEpoch = Math.ceil(batchesPerEpoch / args.gradient_accumulation_steps);
  return { updatesPerEpoch, totalSteps: Math.ceil(updatesPerEpoch * args.num_train_epochs) };
}
