// Class probabilities for texts (or pairs) from the registered classifier, in batches, without dropout.
// The only tfjs in the results path: tensors are made, read and freed here, never handed out.
import * as tf from '@tensorflow/tfjs';
import type { ResultsModel } from './results-state';

export const PREDICT_BATCH = 32;

export async function predictProbabilities(
  model: ResultsModel,
  texts: readonly string[],
  pairs?: readonly string[],
  batchSize = PREDICT_BATCH,
): Promise<number[][]> {
  if (pairs && pairs.length !== texts.length) {
    throw new Error(`${texts.length} texts but ${pairs.length} second texts`);
  }
  const out: number[][] = [];
  const n = model.labels.length;
  for (let start = 0; start < texts.length; start += batchSize) {
    const end = Math.min(texts.length, start + batchSize);
    const batch = model.tokenizer.encode(texts.slice(start, end), pairs?.slice(start, end), {
      maxLength: model.maxLength,
      padding: 'longest',
    });
    const probabilities = tf.tidy(() => {
      const ids = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], 'int32');
      const logits = model.classifier.forward(
        {
          inputIds: ids(batch.input_ids),
          attentionMask: ids(batch.attention_mask),
          ...(batch.token_type_ids ? { tokenTypeIds: ids(batch.token_type_ids) } : {}),
        },
        { training: false },
      );
      return tf.softmax(logits);
    });
    const values = await probabilities.data();
    probabilities.dispose();
    for (let r = 0; r < end - start; r++) out.push(Array.from(values.subarray(r * n, (r + 1) * n)));
  }
  return out;
}
