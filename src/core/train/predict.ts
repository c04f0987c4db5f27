// Inference over tokenised rows, in order and in batches, without dropout: the one loop behind evaluation,
// the CLI's `predict` and the app's Playground and Evaluate step. Tensors stay inside; rows of numbers come out.
import * as tf from '@tensorflow/tfjs';

import type { SequenceClassifier } from '../models/types';
import { padInputs, type TokenizedInputs } from './batching';

/** Logits [rows][classes], each batch padded (with the config's pad token by default) to its longest row. */
export async function predictLogits(
  model: SequenceClassifier,
  rows: readonly TokenizedInputs[],
  batchSize: number,
  padTokenId = Number(model.config.pad_token_id ?? 0),
): Promise<number[][]> {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`The batch size must be a positive integer, got ${batchSize}`);
  const out: number[][] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const indices = [...Array(Math.min(batchSize, rows.length - start)).keys()].map((i) => start + i);
    const logits = tf.tidy(() => model.forward(padInputs(rows, indices, padTokenId), { training: false }));
    const values = await logits.data();
    logits.dispose();
    const n = model.numLabels;
    for (let r = 0; r < indices.length; r++) out.push(Array.from(values.subarray(r * n, (r + 1) * n)));
  }
  return out;
}
