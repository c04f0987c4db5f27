// Evaluation: loss and classification metrics over a tokenised set, in order, without dropout.
import * as tf from '@tensorflow/tfjs';

import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../metrics/classification';
import type { SequenceClassifier } from '../models/types';
import { padBatch, type TokenizedExample } from './batching';
import { crossEntropy } from './loss';

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
  let lossSum = 0;
  const predictions: number[] = [];
  for (let start = 0; start < examples.length; start += options.batchSize) {
    const indices = [...Array(Math.min(options.batchSize, examples.length - start)).keys()].map(
      (i) => start + i,
    );
    const [loss, logits] = tf.tidy(() => {
      const batch = padBatch(examples, indices, options.padTokenId);
      const out = model.forward(batch.inputs, { training: false });
      return [crossEntropy(out, batch.labels, options.labelSmoothing ?? 0), out];
    });
    const [lossValue, logitValues] = await Promise.all([loss.data(), logits.data()]);
    tf.dispose([loss, logits]);
    // Each batch's mean loss counts once per example, as the Trainer's evaluation loop does.
    lossSum += (lossValue[0] as number) * indices.length;
    predictions.push(...argmaxRows(logitValues, model.numLabels));
  }
  const metrics = classificationMetrics(
    examples.map((e) => e.label),
    predictions,
    model.numLabels,
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    record: {
      eval_loss: lossSum / examples.length,
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
