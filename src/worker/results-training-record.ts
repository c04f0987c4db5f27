// Helpers for the training session to hand its results over (see results-state.ts): the hyper-parameters under
// transformers' names (the dataset summary comes from core/export/dataset-summary, the final evaluation from
// core/export/final-evaluation). Plain data only.
import type { TrainingHyperparameters } from '../core/export/types';
import { trainingArgumentsRecord } from '../core/export/training-files';
import type { TrainingArguments } from '../core/train/arguments';

/** training_args.json of a classifier trained here: the same record the CLI writes (core/export/training-files). */
export function hyperparameters(args: TrainingArguments, maxLength: number): TrainingHyperparameters {
  return trainingArgumentsRecord(args, { task: 'sequence-classification', maxLength });
}
