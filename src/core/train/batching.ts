// Pre-tokenised examples → batches: the epoch's order (shuffled with the run's generator, optionally grouped
// by length as transformers' LengthGroupedSampler does) and dynamic padding to each batch's longest row.
import * as tf from '@tensorflow/tfjs';

import type { EncoderInputs } from '../models/types';
import { type Rng, shuffle } from '../random';

/** One tokenised input: ids, and optionally a mask and token type ids of the same length. */
export interface TokenizedInputs {
  inputIds: number[];
  attentionMask?: number[];
  tokenTypeIds?: number[];
}

/** A tokenised input and its label index. */
export interface TokenizedExample extends TokenizedInputs {
  label: number;
}

/** Batches of example indices for one epoch. */
export function epochBatches(
  examples: readonly { inputIds: readonly number[] }[],
  batchSize: number,
  rng: Rng,
  groupByLength = false,
): number[][] {
  const order = shuffle([...examples.keys()], rng);
  const chunk = (xs: number[], n: number): number[][] => {
    const out: number[][] = [];
    for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
    return out;
  };
  if (!groupByLength) return chunk(order, batchSize);
  // Megabatches of 50 batches, each sorted longest first, so that a batch holds rows of similar length and
  // pads little while the order stays random; the batch with the longest row goes first (fail early on memory).
  const length = (i: number): number => examples[i]!.inputIds.length;
  const sorted = chunk(order, 50 * batchSize).flatMap((mega) => mega.sort((a, b) => length(b) - length(a)));
  const batches = chunk(sorted, batchSize);
  let longest = 0;
  batches.forEach((b, i) => {
    if (length(b[0] as number) > length((batches[longest] as number[])[0] as number)) longest = i;
  });
  [batches[0], batches[longest]] = [batches[longest] as number[], batches[0] as number[]];
  return batches;
}

export interface PaddedBatch {
  inputs: EncoderInputs;
  labels: tf.Tensor1D;
}

/** Pads the selected examples to their longest row; tensors are int32. Call inside tf.tidy or dispose. */
export function padBatch(
  examples: readonly TokenizedExample[],
  indices: readonly number[],
  padTokenId = 0,
): PaddedBatch {
  return {
    inputs: padInputs(examples, indices, padTokenId),
    labels: tf.tensor1d(
      indices.map((i) => (examples[i] as TokenizedExample).label),
      'int32',
    ),
  };
}

/** The selected rows padded (on the right) to their longest, as int32 tensors. Call inside tf.tidy or dispose. */
export function padInputs(
  rowsIn: readonly TokenizedInputs[],
  indices: readonly number[],
  padTokenId = 0,
): EncoderInputs {
  const rows = indices.map((i) => {
    const row = rowsIn[i];
    if (!row) throw new Error(`No example at index ${i}`);
    return row;
  });
  const length = Math.max(1, ...rows.map((r) => r.inputIds.length));
  const ids = new Int32Array(rows.length * length).fill(padTokenId);
  const mask = new Int32Array(rows.length * length);
  const types = new Int32Array(rows.length * length);
  rows.forEach((r, b) => {
    const n = r.inputIds.length;
    if ((r.attentionMask && r.attentionMask.length !== n) || (r.tokenTypeIds && r.tokenTypeIds.length !== n))
      throw new Error(
        `Example ${indices[b]} has input ids, attention mask and token type ids of different lengths`,
      );
    ids.set(r.inputIds, b * length);
    mask.set(r.attentionMask ?? new Array<number>(n).fill(1), b * length);
    if (r.tokenTypeIds) types.set(r.tokenTypeIds, b * length);
  });
  const shape: [number, number] = [rows.length, length];
  return {
    inputIds: tf.tensor2d(ids, shape, 'int32'),
    attentionMask: tf.tensor2d(mask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(types, shape, 'int32'),
  };
}
