// Class probabilities for texts (or pairs) from the registered classifier, through the trainer's own
// tokenisation and batched inference (core/train), so the Playground and Evaluate see what training saw.
import { softmax } from '../core/metrics/probabilities';
import { predictLogits } from '../core/train/predict';
import { tokenizeTexts } from '../core/train/tokenize-examples';
import type { ResultsModel } from './results-state';

export const PREDICT_BATCH = 32;

export async function predictProbabilities(
  model: ResultsModel,
  texts: readonly string[],
  pairs?: readonly string[],
  batchSize = PREDICT_BATCH,
): Promise<number[][]> {
  const rows = tokenizeTexts(model.tokenizer, texts, pairs, model.maxLength);
  const logits = await predictLogits(model.classifier, rows, batchSize);
  return logits.map(softmax);
}
