// A classification run's final evaluation for the run service (fine-tune.ts): the scores the model card, the CLI
// and the Evaluate step report for the weights the run ends with, in the export's shape.
import type { ClassificationMetrics } from '../metrics/classification';
import type { SequenceClassifier } from '../models/types';
import { evaluateExportedWeights, finalEvaluation } from '../export/final-evaluation';
import type { FinalEvaluation } from '../export/types';
import type { TokenizedExample } from '../train/batching';
import type { ExportedWeightsEvaluator } from './fine-tune';

/** The run's last evaluation when it scored exactly the exported weights, else an evaluation of them now. */
export function classifierEvaluator(
  labels: readonly string[],
): ExportedWeightsEvaluator<SequenceClassifier, TokenizedExample, ClassificationMetrics, FinalEvaluation> {
  return async ({ model, examples, args, at, last }) =>
    last
      ? finalEvaluation(labels, last.details, last.record)
      : evaluateExportedWeights(model, examples, args, labels, at);
}
