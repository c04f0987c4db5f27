// What differs between the tasks WebTune fine-tunes (sequence classification, causal language modelling, later
// token classification), as the training loop sees it: which examples a model accepts, how a batch of them is
// collated and what its loss is, how micro-batch losses add up to the batch's, and what an evaluation computes.
// The loop (train/trainer.ts) is given a task and stays one linear pass; what the export writes per task is
// named here too (the pipeline tag, the config class) and built by core/export.
import type * as tf from '@tensorflow/tfjs';

import type { TaskName } from '../models/registry';
import type { TrainingArguments } from '../train/arguments';
import type { TrainableModel } from '../train/weights';

/** Every task's examples carry token ids; grouping by length and the memory probe read them. */
export interface TaskExample {
  inputIds: number[];
}

export interface BatchLossOptions {
  training: boolean;
  dropoutSeed?: number;
  args: TrainingArguments;
}

/** An evaluation as the loop logs it (`eval_loss`, …) plus the task's own details for hooks and the export. */
export interface TaskEvaluation<Details> {
  record: Record<string, number>;
  details: Details;
}

export interface TrainingTask<Model extends TrainableModel, Example extends TaskExample, Details> {
  name: TaskName;
  /** The Hub's pipeline tag of an exported model (`text-classification`, `text-generation`). */
  pipelineTag: string;
  /** Throws, naming the set (`Training`, `Evaluation`) and the example, when an example does not suit the model. */
  checkExamples(model: Model, examples: readonly Example[], what: string): void;
  /**
   * How many loss terms the examples at `indices` hold: examples for classification, label tokens for a causal
   * LM. With `perItem` averaging a step's loss is the sum over its terms divided by the step's total (the
   * Trainer's num_items_in_batch, so gradient accumulation and micro-batches give the whole batch's update);
   * otherwise each batch's mean counts alike (the Trainer divides by the accumulation steps).
   */
  lossItems(examples: readonly Example[], indices: readonly number[]): number;
  averaging: 'per-batch' | 'per-item';
  /** The mean loss of one batch (the examples at `indices`, collated); call inside a tape or tf.tidy. */
  batchLoss(
    model: Model,
    examples: readonly Example[],
    indices: readonly number[],
    options: BatchLossOptions,
  ): tf.Scalar;
  /** Evaluates in order, without dropout: eval_loss and the task's metrics. */
  evaluate(
    model: Model,
    examples: readonly Example[],
    args: TrainingArguments,
  ): Promise<TaskEvaluation<Details>>;
}
