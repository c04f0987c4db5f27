// The ONNX counterparts of layers.ts: the same layers (PyTorch semantics, transformers tensor names) emitted as
// ONNX nodes at opset 14 instead of run as tfjs ops. Linears and the word embedding go through a Precision,
// so one builder writes both the float32 model and the 8-bit one (core/export/onnx/quantize.ts).
import type { HostTensor, TensorMap } from '../hub/tensors';
import type { OnnxGraph } from '../export/onnx/graph';
import type { ActivationName, EncoderDims } from './config';

export class OnnxWeightError extends Error {}

/** How the weight-bearing layers are written: float32 MatMuls, or 8-bit weights with dynamic activations. */
export interface OnnxPrecision {
  /** x [..., in] → [..., out] as F.linear(x, weight [out, in], bias [out]). */
  linear(g: OnnxGraph, x: string, name: string, weight: HostTensor, bias: HostTensor): string;
  /** Rows of `table` [vocab, hidden] for the int64 `ids`. */
  embedding(g: OnnxGraph, name: string, table: HostTensor, ids: string): string;
}

/** What every layer function of the ONNX builders gets: the graph, the weights by name, the precision. */
export interface OnnxBuild {
  g: OnnxGraph;
  weights: OnnxWeightReader;
  precision: OnnxPrecision;
  dims: EncoderDims;
}

/** The checkpoint's tensors by their transformers names, with the shape each layer expects checked. */
export class OnnxWeightReader {
  constructor(private readonly tensors: TensorMap) {}

  get(name: string, shape: number[]): HostTensor {
    const t = this.tensors.get(name);
    if (!t)
      throw new OnnxWeightError(`the ONNX export needs the weight ${name}, which the model does not have`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new OnnxWeightError(
        `the weight ${name} has shape [${t.shape.join(', ')}]; the ONNX export expected [${shape.join(', ')}]`,
      );
    }
    return t;
  }
}

/** A transformers Linear `name` (`name.weight` [out, in], `name.bias` [out]) applied to x. */
export function linearLayer(b: OnnxBuild, x: string, name: string, outDim: number, inDim: number): string {
  const weight = b.weights.get(`${name}.weight`, [outDim, inDim]);
  const bias = b.weights.get(`${name}.bias`, [outDim]);
  return b.precision.linear(b.g, x, name, weight, bias);
}

/** LayerNorm over the last axis with the biased variance, as torch.nn.functional.layer_norm (decomposed: opset 14). */
export function layerNormLayer(b: OnnxBuild, x: string, name: string, eps: number): string {
  const { g } = b;
  const h = b.dims.hiddenSize;
  const weight = g.weight(`${name}.weight`, b.weights.get(`${name}.weight`, [h]));
  const bias = g.weight(`${name}.bias`, b.weights.get(`${name}.bias`, [h]));
  const mean = g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 }, `${name}/mean`);
  const centered = g.op('Sub', [x, mean], {}, `${name}/centered`);
  const variance = g.op(
    'ReduceMean',
    [g.op('Mul', [centered, centered], {}, `${name}/square`)],
    { axes: [-1], keepdims: 1 },
    `${name}/variance`,
  );
  const std = g.op(
    'Sqrt',
    [g.op('Add', [variance, g.floats([eps])], {}, `${name}/var_eps`)],
    {},
    `${name}/std`,
  );
  const normed = g.op('Div', [centered, std], {}, `${name}/normed`);
  return g.op('Add', [g.op('Mul', [normed, weight], {}, `${name}/scaled`), bias], {}, name);
}

/** transformers' ACT2FN for the names config.ts accepts; `gelu` is the exact erf form. */
export function activationLayer(b: OnnxBuild, x: string, activation: ActivationName, name: string): string {
  const { g } = b;
  switch (activation) {
    case 'gelu': {
      const erf = g.op('Erf', [g.op('Div', [x, g.floats([Math.SQRT2])])]);
      return g.op('Mul', [g.op('Mul', [x, g.floats([0.5])]), g.op('Add', [erf, g.floats([1])])], {}, name);
    }
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast': {
      const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Mul', [
        g.op('Add', [x, g.op('Mul', [cube, g.floats([0.044715])])]),
        g.floats([Math.sqrt(2 / Math.PI)]),
      ]);
      const tanh = g.op('Add', [g.op('Tanh', [inner]), g.floats([1])]);
      return g.op('Mul', [g.op('Mul', [x, g.floats([0.5])]), tanh], {}, name);
    }
    case 'quick_gelu':
      return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.floats([1.702])])])], {}, name);
    case 'relu':
      return g.op('Relu', [x], {}, name);
    case 'silu':
    case 'swish':
      return g.op('Mul', [x, g.op('Sigmoid', [x])], {}, name);
    case 'tanh':
      return g.op('Tanh', [x], {}, name);
  }
}

/** The most negative float32, which transformers adds to the scores of masked keys. */
const MASKED = -3.4028234663852886e38;

/** attention_mask [batch, length] (int64, 1 = token) → the additive mask [batch, 1, 1, length]. */
export function additiveMaskLayer(b: OnnxBuild, attentionMask: string): string {
  const { g } = b;
  const keep = g.op('Cast', [attentionMask], { to: 1 }, 'mask/float');
  const masked = g.op('Mul', [g.op('Sub', [g.floats([1]), keep]), g.floats([MASKED])], {}, 'mask/additive');
  return g.op('Unsqueeze', [masked, g.int64s([1, 2])], {}, 'mask/expanded');
}

export interface AttentionNames {
  query: string;
  key: string;
  value: string;
}

/**
 * Multi-head scaled dot-product self-attention: softmax(q kᵀ / √d + mask) v, the heads concatenated back to
 * [batch, length, hidden], before the output projection (as selfAttention in layers.ts).
 */
export function selfAttentionLayer(
  b: OnnxBuild,
  x: string,
  names: AttentionNames,
  mask: string,
  at: string,
): string {
  const { g, dims } = b;
  const h = dims.hiddenSize;
  const headSize = h / dims.numHeads;
  const split = g.int64s([0, 0, dims.numHeads, headSize]);
  const heads = (name: string, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [linearLayer(b, x, name, h, h), split])], { perm }, `${name}/heads`);
  const q = heads(names.query, [0, 2, 1, 3]);
  const kT = heads(names.key, [0, 2, 3, 1]);
  const v = heads(names.value, [0, 2, 1, 3]);
  const scores = g.op('Div', [g.op('MatMul', [q, kT]), g.floats([Math.sqrt(headSize)])], {}, `${at}/scores`);
  const probs = g.op('Softmax', [g.op('Add', [scores, mask])], { axis: -1 }, `${at}/probs`);
  const context = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
  return g.op('Reshape', [context, g.int64s([0, 0, h])], {}, `${at}/context`);
}

/** Rows 0 … length-1 of a position table `name` [positions, hidden], for ids shaped [batch, length]. */
export function leadingPositionsLayer(b: OnnxBuild, name: string, rows: number, inputIds: string): string {
  const { g } = b;
  const table = g.weight(name, b.weights.get(name, [rows, b.dims.hiddenSize]));
  const length = g.op(
    'Slice',
    [g.op('Shape', [inputIds]), g.int64s([1]), g.int64s([2])],
    {},
    'sequence_length',
  );
  return g.op('Slice', [table, g.int64s([0]), length, g.int64s([0])], {}, `${name}/leading`);
}

/** The hidden state of the first token ([CLS] / <s>): [batch, length, hidden] → [batch, hidden]. */
export function firstTokenLayer(b: OnnxBuild, x: string): string {
  return b.g.op('Gather', [x, b.g.int64Scalar(0)], { axis: 1 }, 'first_token');
}
