// Single-label sequence classification: a batch is the examples padded to their longest row, the loss is
// cross-entropy over the classes (with label smoothing), evaluation is loss, accuracy, F1 and the confusion matrix.
import type { ClassificationMetrics } from '../metrics/classification';
import type { SequenceClassifier } from '../models/types';
import { padBatch, type TokenizedExample } from '../train/batching';
import { evaluate } from '../train/evaluate';
import { crossEntropy } from '../train/loss';
import type { TrainingTask } from './types';

export const sequenceClassificationTask: TrainingTask<
  SequenceClassifier,
  TokenizedExample,
  ClassificationMetrics
> = {
  name: 'sequence-classification',
  pipelineTag: 'text-classification',
  checkExamples(model, examples, what) {
    const numLabels = model.numLabels;
    examples.forEach((ex, i) => {
      if (!Number.isInteger(ex.label) || ex.label < 0 || ex.label >= numLabels)
        throw new Error(`${what} example ${i} has label ${ex.label}, not a class index in [0, ${numLabels})`);
      if (ex.inputIds.length === 0) throw new Error(`${what} example ${i} has no tokens`);
    });
  },
  lossItems: (_examples, indices) => indices.length,
  averaging: 'per-batch',
  batchLoss(model, examples, indices, { training, dropoutSeed, args }) {
    const batch = padBatch(examples, indices, model.config.pad_token_id ?? 0);
    const logits = model.forward(batch.inputs, { training, dropoutSeed });
    return crossEntropy(logits, batch.labels, args.label_smoothing_factor);
  },
  async evaluate(model, examples, args) {
    const result = await evaluate(model, examples, {
      batchSize: args.per_device_eval_batch_size,
      labelSmoothing: args.label_smoothing_factor,
      padTokenId: model.config.pad_token_id ?? 0,
    });
    return { record: result.record, details: result.metrics };
  },
};
