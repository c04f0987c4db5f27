// Evaluation: loss and classification metrics over a tokenised set, in order, without dropout.
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../metrics/classification';
import { meanCrossEntropy } from '../metrics/probabilities';
import type { SequenceClassifier } from '../models/types';
import type { TokenizedExample } from './batching';
import { predictLogits } from './predict';

export interface EvaluationResult {
  /** The numbers transformers logs for an evaluation: eval_loss, eval_accuracy, eval_f1 (macro), … */
  record: Record<string, number>;
  metrics: ClassificationMetrics;
  predictions: number[];
}

export interface EvaluateOptions {
  batchSize: number;
  labelSmoothing?: number;
  padTokenId?: number;
}

export async function evaluate(
  model: SequenceClassifier,
  examples: readonly TokenizedExample[],
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  if (examples.length === 0) throw new Error('The evaluation set is empty');
  const started = performance.now();
  const logits = await predictLogits(model, examples, options.batchSize, options.padTokenId);
  const labels = examples.map((e) => e.label);
  // The mean over examples, as the Trainer's evaluation loop weighs each batch's mean by its size.
  const loss = meanCrossEntropy(logits, labels, options.labelSmoothing ?? 0);
  const predictions = argmaxRows(logits.flat(), model.numLabels);
  const metrics = classificationMetrics(labels, predictions, model.numLabels);
  const seconds = (performance.now() - started) / 1000;
  return {
    record: {
      eval_loss: loss,
      eval_accuracy: metrics.accuracy,
      eval_f1: metrics.macroF1,
      eval_f1_weighted: metrics.weightedF1,
      eval_precision: metrics.macroPrecision,
      eval_recall: metrics.macroRecall,
      eval_runtime: seconds,
      eval_samples_per_second: examples.length / Math.max(seconds, 1e-9),
    },
    metrics,
    predictions,
  };
}
