// The layers the three encoders share, from tfjs ops that all have gradients (matMul, gather, erf, softmax,
// slice, reshape, transpose, …), with PyTorch's semantics: Linear weights stay in PyTorch's [out, in] layout.
import * as tf from '@tensorflow/tfjs';

import { dropoutMask } from '../kernels/dropout-mask';
import { attentionProbs, fusedGelu, fusedLayerNorm } from '../kernels/fused-ops';
import type { ActivationName } from './config';
import { matMulTransposed } from './decoder';

/**
 * A low-rank adapter on a linear layer (core/lora builds them): the layer's output gains
 * scale · dropout(x) · Aᵀ · Bᵀ, with A [r, in] and B [out, r] as PEFT's lora_A / lora_B store them.
 */
export interface LinearAdapter {
  a: tf.Variable;
  b: tf.Variable;
  scale: number;
  /** lora_dropout, applied to the adapter's input only (the base layer sees x unchanged), as PEFT does. */
  dropout: number;
}

/**
 * Every linear layer of every architecture: a PyTorch Linear (weight [out, in]) or, with layout "in-out", a
 * transformers Conv1D (GPT-2, weight [in, out]); the bias is optional (Llama). LoRA attaches here, at the one
 * place where layers are applied, so the architecture files know nothing of adapters.
 */
export interface LinearModule {
  weight: tf.Variable;
  bias?: tf.Variable;
  layout?: 'in-out';
  adapter?: LinearAdapter;
}

/** A PyTorch Linear with a bias: weight [out, in], bias [out]. */
export interface Dense extends LinearModule {
  bias: tf.Variable;
}

/** A LayerNorm's scale and shift. */
export interface Norm {
  weight: tf.Variable;
  bias: tf.Variable;
}

/**
 * x [..., in] → [..., out]: F.linear(x, weight, bias), or x·W + b for a Conv1D, plus the adapter's term when
 * one is attached. The frozen weight is read as it is (never copied or merged per step).
 */
export function linear(x: tf.Tensor, layer: LinearModule): tf.Tensor {
  const conv = layer.layout === 'in-out';
  const inDim = x.shape[x.rank - 1]!;
  const outDim = layer.weight.shape[conv ? 1 : 0]!;
  const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  let y = conv
    ? tf.matMul(flat, layer.weight)
    : matMulTransposed(flat as tf.Tensor2D, layer.weight as tf.Tensor2D);
  if (layer.adapter) y = tf.add(y, adapterTerm(flat, layer.adapter));
  if (layer.bias) y = tf.add(y, layer.bias);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
}

/** scale · (dropout(x) Aᵀ) Bᵀ: two thin matMuls through the rank r, never the [out, in] product B·A. */
function adapterTerm(x: tf.Tensor, adapter: LinearAdapter): tf.Tensor {
  const input = adapter.dropout > 0 && Dropout.current ? Dropout.current.apply(x, adapter.dropout) : x;
  const low = tf.matMul(input, adapter.a, false, true);
  return tf.mul(tf.matMul(low, adapter.b, false, true), adapter.scale);
}

/** LayerNorm over the last axis with the biased variance, as torch.nn.functional.layer_norm. */
export function layerNorm(x: tf.Tensor, norm: Norm, eps: number): tf.Tensor {
  // One taped op with a closed-form gradient (kernels/fused-ops.ts): the same values, a third of the memory.
  return fusedLayerNorm(x, norm.weight, norm.bias, eps);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The tanh approximation of GELU (transformers' gelu_new / gelu_pytorch_tanh / gelu_fast). */
function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** transformers' ACT2FN, for the names config.ts accepts. `gelu` is the exact erf form. */
export function activate(x: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case 'gelu':
      // One taped op instead of five (kernels/fused-ops.ts): the same values, far less memory per step.
      return fusedGelu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return geluTanh(x);
    case 'quick_gelu':
      return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
    case 'relu':
      return tf.relu(x);
    case 'silu':
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'tanh':
      return tf.tanh(x);
  }
}

/**
 * Dropout for one forward pass: identity unless training; when training, each call draws its mask from its
 * own key, derived from the step's seed and the call's position in the pass, so the same seed gives the same
 * masks (on every backend). Kept values are scaled by 1 / (1 - rate), as torch.nn.Dropout does.
 */
export class Dropout {
  /**
   * The Dropout of the forward pass in progress. LoRA's dropout acts inside linear(), which the architecture
   * files call without the pass's Dropout; a pass is synchronous and makes its Dropout first, so the latest
   * one made is the pass's.
   */
  static current: Dropout | undefined;
  private calls = 0;

  constructor(
    readonly training: boolean,
    private readonly seed: number,
  ) {
    Dropout.current = this;
  }

  apply(x: tf.Tensor, rate: number): tf.Tensor {
    if (!this.training || rate === 0) return x;
    this.calls += 1;
    return tf.mul(x, dropoutMask(x.shape, rate, mixSeed(this.seed, this.calls)));
  }
}

/** A 32-bit mix of two integers (a murmur3-style finaliser), for seeds that do not collide in practice. */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The most negative float32, which transformers adds to the scores of masked keys. */
const MASKED = -3.4028234663852886e38;

/** attention_mask [batch, length] (1 = token, 0 = padding) → the additive mask [batch, 1, 1, length]. */
export function additiveMask(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [batch, length] = attentionMask.shape;
  const keep = tf.cast(attentionMask, 'float32');
  return tf.reshape(tf.mul(tf.sub(1, keep), MASKED), [batch, 1, 1, length]);
}

export interface AttentionWeights {
  query: Dense;
  key: Dense;
  value: Dense;
}

/**
 * Multi-head scaled dot-product self-attention: softmax(q kᵀ / √d + mask), dropout on the probabilities,
 * times v; returns the heads concatenated [batch, length, hidden], before the output projection.
 */
export function selfAttention(
  x: tf.Tensor3D,
  weights: AttentionWeights,
  numHeads: number,
  mask: tf.Tensor4D,
  dropout: Dropout,
  dropoutRate: number,
): tf.Tensor3D {
  const [batch, length, hidden] = x.shape;
  const headSize = hidden / numHeads;
  const heads = (t: tf.Tensor) =>
    tf.transpose(tf.reshape(t, [batch, length, numHeads, headSize]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = heads(linear(x, weights.query));
  const k = heads(linear(x, weights.key));
  const v = heads(linear(x, weights.value));
  // softmax(q kᵀ / √d + mask) as one taped op (kernels/fused-ops.ts), which keeps no scores tensors.
  const probs = dropout.apply(attentionProbs(q, k, mask, Math.sqrt(headSize)), dropoutRate);
  const context = tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]);
  return tf.reshape(context, [batch, length, hidden]);
}

/** Looks up rows of `table` [vocab, hidden] for int32 `ids` [batch, length] → [batch, length, hidden]. */
export function embed(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  const [batch, length] = ids.shape;
  const rows = tf.gather(table, tf.reshape(ids, [-1]));
  return tf.reshape(rows, [batch, length, table.shape[1]]);
}

/** The first `length` rows of a position table, shaped to broadcast over the batch: [1, length, hidden]. */
export function leadingPositions(table: tf.Tensor2D, length: number): tf.Tensor3D {
  const hidden = table.shape[1];
  return tf.reshape(tf.slice(table, [0, 0], [length, hidden]), [1, length, hidden]);
}

/** The hidden state of the first token of each sequence ([CLS] / <s>): [batch, length, hidden] → [batch, hidden]. */
export function firstToken(x: tf.Tensor3D): tf.Tensor2D {
  const [batch, , hidden] = x.shape;
  return tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, hidden]), [batch, hidden]);
}
