// Causal language modelling: an example is token ids with labels aligned to them (-100 where no loss is taken:
// a prompt, a user turn, padding), a batch is right-padded, the loss is transformers' ForCausalLMLoss (the
// model's, computed without a one-hot), averaged over every label token of an optimizer step as the Trainer
// does with num_items_in_batch; evaluation is eval_loss and perplexity.
import * as tf from '@tensorflow/tfjs';

import { IGNORE_INDEX, type CausalLM } from '../models/causal-lm';
import type { TrainingTask } from './types';

/** One training row: ids and their labels (same length; IGNORE_INDEX where the loss is not taken). */
export interface CausalLmExample {
  inputIds: number[];
  labels: number[];
}

export interface CausalLmEvaluation {
  loss: number;
  perplexity: number;
}

/** The id padding uses: the model's pad token, else its eos token, as TRL and run_clm pad. */
export function causalLmPadId(model: CausalLM): number {
  const { pad_token_id: pad, eos_token_id: eos } = model.config as {
    pad_token_id?: unknown;
    eos_token_id?: unknown;
  };
  if (typeof pad === 'number') return pad;
  const first = Array.isArray(eos) ? eos[0] : eos;
  return typeof first === 'number' ? first : 0;
}

/** The rows at `indices` right-padded to their longest: ids, mask and labels (-100 on padding). */
export function collateCausalLm(
  examples: readonly CausalLmExample[],
  indices: readonly number[],
  padId: number,
): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; labels: tf.Tensor2D } {
  const rows = indices.map((i) => {
    const row = examples[i];
    if (!row) throw new Error(`No example at index ${i}`);
    return row;
  });
  const length = Math.max(2, ...rows.map((r) => r.inputIds.length));
  const ids = new Int32Array(rows.length * length).fill(padId);
  const mask = new Int32Array(rows.length * length);
  const labels = new Int32Array(rows.length * length).fill(IGNORE_INDEX);
  rows.forEach((r, b) => {
    ids.set(r.inputIds, b * length);
    mask.fill(1, b * length, b * length + r.inputIds.length);
    labels.set(r.labels, b * length);
  });
  const shape: [number, number] = [rows.length, length];
  return {
    inputIds: tf.tensor2d(ids, shape, 'int32'),
    attentionMask: tf.tensor2d(mask, shape, 'int32'),
    labels: tf.tensor2d(labels, shape, 'int32'),
  };
}

/** Label tokens the shifted loss counts: labels[1..] that are not IGNORE_INDEX. */
export function countLabelTokens(example: CausalLmExample): number {
  let n = 0;
  for (let t = 1; t < example.labels.length; t++) if (example.labels[t] !== IGNORE_INDEX) n++;
  return n;
}

export const causalLmTask: TrainingTask<CausalLM, CausalLmExample, CausalLmEvaluation> = {
  name: 'causal-lm',
  pipelineTag: 'text-generation',
  checkExamples(model, examples, what) {
    const vocab = model.dims.vocabSize;
    examples.forEach((ex, i) => {
      if (ex.inputIds.length < 2) throw new Error(`${what} example ${i} has fewer than 2 tokens`);
      if (ex.labels.length !== ex.inputIds.length)
        throw new Error(`${what} example ${i} has ${ex.inputIds.length} ids but ${ex.labels.length} labels`);
      if (ex.inputIds.length > model.maxLength)
        throw new Error(
          `${what} example ${i} has ${ex.inputIds.length} tokens, more than the model's ${model.maxLength} positions`,
        );
      const bad = ex.inputIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
      if (bad !== undefined)
        throw new Error(`${what} example ${i} has token id ${bad}, outside [0, ${vocab})`);
    });
  },
  lossItems: (examples, indices) =>
    indices.reduce((n, i) => n + countLabelTokens(examples[i] as CausalLmExample), 0),
  averaging: 'per-item',
  batchLoss(model, examples, indices, { training, dropoutSeed }) {
    const batch = collateCausalLm(examples, indices, causalLmPadId(model));
    return model.loss(batch, batch.labels, { training, dropoutSeed });
  },
  async evaluate(model, examples, args) {
    const loss = await causalLmEvalLoss(model, examples, args.per_device_eval_batch_size);
    return {
      record: { eval_loss: loss, eval_perplexity: perplexity(loss) },
      details: { loss, perplexity: perplexity(loss) },
    };
  },
};

/** exp(loss), as run_clm reports perplexity (Infinity past float range, as math.exp's OverflowError there). */
export function perplexity(loss: number): number {
  const p = Math.exp(loss);
  return Number.isFinite(p) ? p : Infinity;
}

/**
 * The Trainer's eval_loss: each batch's mean token loss (in order, no dropout), weighted by the batch's rows.
 * Packed blocks all hold block_size − 1 label tokens, so this is then the mean over tokens.
 */
export async function causalLmEvalLoss(
  model: CausalLM,
  examples: readonly CausalLmExample[],
  batchSize: number,
): Promise<number> {
  if (examples.length === 0) throw new Error('The evaluation set is empty');
  const padId = causalLmPadId(model);
  let sum = 0;
  for (let start = 0; start < examples.length; start += batchSize) {
    const indices = [...Array(Math.min(batchSize, examples.length - start)).keys()].map((k) => start + k);
    const loss = tf.tidy(() => {
      const batch = collateCausalLm(examples, indices, padId);
      return model.loss(batch, batch.labels, { training: false });
    });
    sum += (await loss.data())[0]! * indices.length;
    loss.dispose();
  }
  return sum / examples.length;
}
