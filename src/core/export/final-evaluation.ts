// The trainer's metrics (core/metrics) in the shape the export and the results screens show: one row of scores
// per label, and the final evaluation the model card and the CLI report.
import type { ClassificationMetrics } from '../metrics/classification';
import type { SequenceClassifier } from '../models/types';
import type { TrainingArguments } from '../train/arguments';
import type { TokenizedExample } from '../train/batching';
import { sequenceClassificationTask } from '../tasks/sequence-classification';
import type { ClassMetrics, FinalEvaluation } from './types';

/** Precision, recall, F1 and support per label, in the label order. */
export function perClassScores(labels: readonly string[], metrics: ClassificationMetrics): ClassMetrics[] {
  return labels.map((label, c) => ({
    label,
    precision: metrics.precision[c] ?? 0,
    recall: metrics.recall[c] ?? 0,
    f1: metrics.f1[c] ?? 0,
    support: metrics.support[c] ?? 0,
  }));
}

/** An evaluation of the exported weights, at the step and epoch it was made. */
export function finalEvaluation(
  labels: readonly string[],
  metrics: ClassificationMetrics,
  at: { step: number; epoch: number; eval_loss?: number },
): FinalEvaluation {
  return {
    step: at.step,
    epoch: at.epoch,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    weightedF1: metrics.weightedF1,
    ...(at.eval_loss !== undefined ? { loss: at.eval_loss } : {}),
    perClass: perClassScores(labels, metrics),
    confusionMatrix: metrics.confusionMatrix.map((row) => [...row]),
  };
}

/**
 * The step and epoch the exported weights come from: the best evaluation's when load_best_model_at_end restored
 * them (transformers' behaviour), else the end of the run (its last record).
 */
export function exportedWeightsPoint(
  logHistory: readonly { step: number; epoch: number; eval_loss?: number }[],
  loadBestModelAtEnd: boolean,
  bestStep: number | undefined,
): { step: number; epoch: number } {
  const best =
    loadBestModelAtEnd && bestStep !== undefined
      ? logHistory.find((r) => r.eval_loss !== undefined && r.step === bestStep)
      : undefined;
  const at = best ?? logHistory.at(-1);
  return { step: at?.step ?? 0, epoch: at?.epoch ?? 0 };
}

/** Evaluates the weights a run ends with, as the loop's evaluations score them, labelled with their step. */
export async function evaluateExportedWeights(
  model: SequenceClassifier,
  examples: readonly TokenizedExample[],
  args: TrainingArguments,
  labels: readonly string[],
  at: { step: number; epoch: number },
): Promise<FinalEvaluation> {
  const result = await sequenceClassificationTask.evaluate(model, examples, args);
  return finalEvaluation(labels, result.details, { ...at, eval_loss: result.record.eval_loss });
}
