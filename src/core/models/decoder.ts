// What the decoder files (gpt2.ts, llama.ts, qwen2.ts) share and hand to causal-lm.ts: their dimensions, the
// body a builder returns, the causal + padding mask, position ids that count from each row's first real token,
// rotary embeddings, grouped-query attention and the per-layer KV cache.
import * as tf from '@tensorflow/tfjs';

import { attentionProbs } from '../kernels/fused-ops';
import type { ActivationName } from './config-fields';
import type { Dropout } from './layers';
import type { DecoderArchitecture } from './types';

/** Everything a causal LM is built from, in one vocabulary for GPT-2, Llama and Qwen2. */
export interface DecoderDims {
  architecture: DecoderArchitecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Grouped-query attention: key/value heads, each shared by numHeads / numKvHeads query heads. */
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  activation: ActivationName;
  maxPositions: number;
  /** LayerNorm's (GPT-2) or RMSNorm's (Llama, Qwen2) epsilon. */
  normEps: number;
  initializerRange: number;
  /** lm_head shares the word embedding matrix. */
  tieWordEmbeddings: boolean;
  embeddingDropout: number;
  residualDropout: number;
  attentionDropout: number;
  /** config.json's ids (generation_config.json's eos_token_id takes precedence in generation). */
  bosTokenId?: number;
  eosTokenIds: number[];
  padTokenId?: number;
  /** Rotary embeddings' inverse frequencies [headDim / 2] (Llama, Qwen2), after any rope scaling. */
  ropeInvFreq?: Float32Array;
  /** GPT-2: divide the attention scores of layer i by i + 1 as well (scale_attn_by_inverse_layer_idx). */
  scaleByInverseLayer?: boolean;
  /** GPT-2 with scale_attn_weights false: scores not divided by √headDim. */
  unscaledAttention?: boolean;
  /** Llama / Qwen2: which Linear layers carry a bias. */
  projectionBias?: { qkv: boolean; output: boolean; mlp: boolean };
}

/** What an architecture file's builder returns; causal-lm.ts adds the head, the loss and input checks. */
export interface DecoderBody {
  /**
   * The final hidden states (after the last norm) [batch, length, hidden] for `inputIds` at `positions`
   * (int32 [batch, length]), attending under the additive `mask` [batch, 1, length, past + length]; with a
   * cache, the keys and values of earlier tokens come from it and this call's are appended to it.
   */
  run(
    inputIds: tf.Tensor2D,
    positions: tf.Tensor2D,
    mask: tf.Tensor4D,
    cache: KVCache | undefined,
    dropout: Dropout,
  ): tf.Tensor3D;
  /**
   * The output projection [vocab, hidden]: lm_head.weight, or the word embeddings when they are tied. Absent
   * when built without it (a sequence classifier, whose head is `score`).
   */
  lmHead?: tf.Variable;
  embeddingVariableNames: string[];
  /** Frees what the body holds besides the variables (the rotary table). */
  dispose?(): void;
}

/**
 * Keys and values of every layer for the tokens seen so far, [batch, kvHeads, past, headDim] each, grown by
 * concatenation one call at a time. Its tensors live outside any tidy; dispose() frees them.
 */
export class KVCache {
  private readonly layers: ({ k: tf.Tensor4D; v: tf.Tensor4D } | undefined)[] = [];

  /** Tokens already in the cache. */
  get length(): number {
    return this.layers[0]?.k.shape[2] ?? 0;
  }

  /** Appends this call's keys and values of `layer` and returns all of them; the previous ones are freed. */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const old = this.layers[layer];
    const next = old
      ? { k: tf.concat([old.k, k], 2) as tf.Tensor4D, v: tf.concat([old.v, v], 2) as tf.Tensor4D }
      : { k: k.clone(), v: v.clone() };
    tf.keep(next.k);
    tf.keep(next.v);
    if (old) tf.dispose([old.k, old.v]);
    this.layers[layer] = next;
    return next;
  }

  dispose(): void {
    for (const entry of this.layers) if (entry) tf.dispose([entry.k, entry.v]);
    this.layers.length = 0;
  }
}

/** The most negative float32, which transformers puts at the scores of keys a query may not see. */
const MASKED = -3.4028234663852886e38;

/**
 * The additive attention mask [batch, 1, length, past + length]: query i (at absolute index past + i) sees key j
 * when j ≤ past + i and the key is not padding. Combined by multiplying 0/1 masks, so a masked score gets MASKED
 * once, not twice (which would overflow to −∞).
 */
export function causalMask(attentionMask: tf.Tensor2D, length: number): tf.Tensor4D {
  const [batch, total] = attentionMask.shape;
  const past = total - length;
  const causal = new Float32Array(length * total);
  const diagonal = new Float32Array(length * total);
  for (let i = 0; i < length; i++) {
    for (let j = 0; j <= past + i; j++) causal[i * total + j] = 1;
    diagonal[i * total + past + i] = 1;
  }
  const seen = tf.mul(
    tf.tensor4d(causal, [1, 1, length, total]),
    tf.reshape(tf.cast(attentionMask, 'float32'), [batch, 1, 1, total]),
  );
  // A query that sees no key at all (a left-padding position) sees itself instead, as transformers'
  // _unmask_unattended does: its output is never used, but an all-masked softmax row is NaN on webgpu, and
  // NaN values leak into real rows through 0 · NaN in the next layer's attention.
  const blind = tf.sub(1, tf.max(seen, -1, true));
  const keep = tf.add(seen, tf.mul(blind, tf.tensor4d(diagonal, [1, 1, length, total])));
  return tf.mul(tf.sub(1, keep), MASKED) as tf.Tensor4D;
}

/** transformers' default position ids (cache_position): past, past + 1, … on every row, whatever the padding. */
export function defaultPositions(batch: number, past: number, length: number): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.tile(tf.reshape(tf.range(past, past + length, 1, 'int32'), [1, length]), [batch, 1]) as tf.Tensor2D,
  );
}

/**
 * Position ids that count from each row's first real token: i − (padding tokens before it), never below 0.
 * Right-padded and unpadded rows get 0, 1, 2, … (padding included, as transformers' default), left-padded rows
 * start at 0 on their first token, as generate() computes them from the attention mask.
 */
export function positionIds(attentionMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [, length] = attentionMask.shape;
    const seen = tf.cumsum(tf.cast(attentionMask, 'int32'), 1);
    const leading = tf.sum(tf.cast(tf.equal(seen, 0), 'int32'), 1, true);
    return tf.relu(tf.sub(tf.range(0, length, 1, 'int32').reshape([1, length]), leading)) as tf.Tensor2D;
  });
}

/**
 * Rotary embeddings' cos and sin per position, computed on the host as transformers does in float32
 * (angle = fround(inv_freq · position), then cos / sin), and looked up by position id on the device: WebGPU's
 * own sin and cos (SwiftShader's at least) are off by up to 5e-4 at these angles. The table covers the
 * positions seen so far and grows (by doubling, up to max_position_embeddings) when a longer sequence comes.
 */
export class RotaryTable {
  private size = 0;
  private cos: tf.Tensor2D | undefined;
  private sin: tf.Tensor2D | undefined;

  constructor(
    private readonly invFreq: Float32Array,
    private readonly maxPositions: number,
    initial = 1024,
  ) {
    this.grow(Math.min(initial, maxPositions));
  }

  /** cos and sin [batch, 1, length, headDim] (rotate-half layout: the halves repeat) at `positions`. */
  at(positions: tf.Tensor2D, highest: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
    if (highest >= this.size) this.grow(Math.min(this.maxPositions, Math.max(highest + 1, 2 * this.size)));
    const [batch, length] = positions.shape;
    const dim = 2 * this.invFreq.length;
    const flat = tf.reshape(positions, [-1]);
    const look = (table: tf.Tensor2D) =>
      tf.reshape(tf.gather(table, flat), [batch, 1, length, dim]) as tf.Tensor4D;
    return { cos: look(this.cos!), sin: look(this.sin!) };
  }

  private grow(size: number): void {
    const half = this.invFreq.length;
    const dim = 2 * half;
    const cos = new Float32Array(size * dim);
    const sin = new Float32Array(size * dim);
    for (let p = 0; p < size; p++) {
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(this.invFreq[i]! * p);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[p * dim + i] = cos[p * dim + half + i] = c;
        sin[p * dim + i] = sin[p * dim + half + i] = s;
      }
    }
    this.dispose();
    this.cos = tf.keep(tf.tensor2d(cos, [size, dim]));
    this.sin = tf.keep(tf.tensor2d(sin, [size, dim]));
    this.size = size;
  }

  dispose(): void {
    if (this.cos) tf.dispose([this.cos, this.sin!]);
    this.cos = this.sin = undefined;
  }
}

/** q·cos + rotate_half(q)·sin, rotate_half(x) = [−x₂, x₁], on [batch, heads, length, headDim]. */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const [batch, heads, length, dim] = x.shape;
  const half = dim / 2;
  const x1 = tf.slice(x, [0, 0, 0, 0], [batch, heads, length, half]);
  const x2 = tf.slice(x, [0, 0, 0, half], [batch, heads, length, half]);
  const rotated = tf.concat([tf.neg(x2), x1], -1);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
}

/** [batch, length, heads·headDim] → [batch, heads, length, headDim]. */
export function splitHeads(x: tf.Tensor, heads: number, headDim: number): tf.Tensor4D {
  const [batch, length] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [batch, length, heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/**
 * softmax(q kᵀ / divisor + mask) v for q [batch, heads, length, headDim] and k, v [batch, kvHeads, keys,
 * headDim] (grouped-query attention: query head h reads key/value head ⌊h / (heads / kvHeads)⌋, as
 * transformers' repeat_kv), returning the heads concatenated [batch, length, heads·headDim].
 */
export function groupedAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor4D,
  divisor: number,
  dropout: Dropout,
  dropoutRate: number,
): tf.Tensor3D {
  const [batch, heads, length, headDim] = q.shape;
  const kvHeads = k.shape[1];
  // Tiled in rank 4 ([batch, kvHeads, 1, keys·headDim] → [batch, kvHeads, repeat, …]): tfjs has no tile
  // gradient for rank 5.
  const repeat = (t: tf.Tensor4D) => {
    if (kvHeads === heads) return t;
    const [, , keys] = t.shape;
    const tiled = tf.tile(tf.reshape(t, [batch, kvHeads, 1, keys * headDim]), [1, 1, heads / kvHeads, 1]);
    return tf.reshape(tiled, [batch, heads, keys, headDim]) as tf.Tensor4D;
  };
  const probs = dropout.apply(attentionProbs(q, repeat(k), mask, divisor), dropoutRate);
  const context = tf.transpose(tf.matMul(probs, repeat(v)), [0, 2, 1, 3]);
  return tf.reshape(context, [batch, length, heads * headDim]) as tf.Tensor3D;
}

/** Rows up to which x·Wᵀ is computed as (W·xᵀ)ᵀ on wasm: generation's one token per step. */
const FEW_ROWS = 32;

/**
 * x [rows, in] · Wᵀ for a PyTorch-layout weight W [out, in]. On wasm with few rows (decoding) it is computed as
 * (W·xᵀ)ᵀ: only the small x and the result are transposed. The wasm backend's fast (XNNPACK) path takes no
 * transposed operand, so x·Wᵀ made our BatchMatMul copy the whole transposed weight on every call: for a
 * 135M-parameter model, 540 MB copied per generated token. Only there: WebGPU reads a transposed operand in
 * place, and its W·xᵀ (an [out, 1] result) is 20-40 times slower than x·Wᵀ (bench/generate.ts measured 1.3 s
 * against 28 ms for SmolLM2's [1536, 576] on SwiftShader), which made decoding take seconds per token.
 */
export function matMulTransposed(x: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  if (x.shape[0] > FEW_ROWS || tf.getBackend() !== 'wasm') return tf.matMul(x, weight, false, true);
  return tf.transpose(tf.matMul(weight, tf.transpose(x))) as tf.Tensor2D;
}

/** RMSNorm as Llama's: x · rsqrt(mean(x²) + ε) · weight (no mean subtraction, no bias). */
export function rmsNorm(x: tf.Tensor, weight: tf.Variable, eps: number): tf.Tensor {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight);
}
