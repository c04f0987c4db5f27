// The 8-bit precision, the graph ONNX Runtime's quantize_dynamic makes of a float model (and transformers.js's
// conversion script ships as model_quantized.onnx): weights stored as int8, activations quantised at run time.
//   Linear:    DynamicQuantizeLinear(x) → (x_u8, x_scale, x_zero) ; MatMulInteger(x_u8, W_s8, x_zero)
//              → Cast float → × (x_scale · w_scale) → + bias          (the bias stays float32)
//   Embedding: Gather(int8 table, ids) → DequantizeLinear(scale, 0)
// Weights are symmetric (zero point 0, range ±127, as quantize_dynamic's default for QInt8 weights). Linear
// weights get one scale per output column (ORT's per_channel=True); embedding tables one scale per table,
// since DequantizeLinear after Gather can only scale along the hidden axis.
import type { HostTensor } from '../../hub/tensors';
import type { OnnxPrecision } from '../../models/layers-onnx';
import { DataType, float32Bytes, type OnnxGraph } from './graph';

const INT8_MAX = 127;

export interface QuantizedColumns {
  /** int8 values laid out [in, out] (MatMul's B). */
  values: Int8Array;
  /** One scale per output column. */
  scales: Float32Array;
}

/** weight [out, in] → int8 [in, out] with per-output scales max|w_o| / 127 (1 for an all-zero row). */
export function quantizeColumns(weight: HostTensor): QuantizedColumns {
  const [out, inDim] = weight.shape as [number, number];
  const src = weight.data;
  const scales = new Float32Array(out);
  const values = new Int8Array(src.length);
  for (let o = 0; o < out; o++) {
    let max = 0;
    for (let i = 0; i < inDim; i++) max = Math.max(max, Math.abs(src[o * inDim + i]!));
    const scale = max > 0 ? Math.fround(max / INT8_MAX) : 1;
    scales[o] = scale;
    for (let i = 0; i < inDim; i++) values[i * out + o] = quantize(src[o * inDim + i]!, scale);
  }
  return { values, scales };
}

/** A whole tensor with one scale: int8 values in the same layout, and the scale max|w| / 127. */
export function quantizeTensor(tensor: HostTensor): { values: Int8Array; scale: number } {
  let max = 0;
  for (const v of tensor.data) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? Math.fround(max / INT8_MAX) : 1;
  return { values: Int8Array.from(tensor.data, (v) => quantize(v, scale)), scale };
}

function quantize(value: number, scale: number): number {
  return Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(value / scale)));
}

function int8Bytes(values: Int8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export const int8Precision: OnnxPrecision = {
  linear(g: OnnxGraph, x: string, name: string, weight: HostTensor, bias: HostTensor): string {
    const [out, inDim] = weight.shape as [number, number];
    // Quantised now rather than while writing: the scales are needed as an initializer of their own, and the
    // int8 copy is a quarter of the float weight.
    const q = quantizeColumns(weight);
    const w = g.initializer(`${name}.weight_quantized`, DataType.INT8, [inDim, out], () =>
      int8Bytes(q.values),
    );
    const wScale = g.initializer(`${name}.weight_scale`, DataType.FLOAT, [out], () => float32Bytes(q.scales));
    const [xq, xScale, xZero] = g.opMulti('DynamicQuantizeLinear', [x], 3, {}, `${name}/input_quantized`);
    const product = g.op('MatMulInteger', [xq!, w, xZero!], {}, `${name}/matmul_integer`);
    const scale = g.op('Mul', [xScale!, wScale], {}, `${name}/scale`);
    const y = g.op('Mul', [g.op('Cast', [product], { to: DataType.FLOAT }), scale], {}, `${name}/matmul`);
    return g.op('Add', [y, g.weight(`${name}.bias`, bias)], {}, name);
  },
  embedding(g: OnnxGraph, name: string, table: HostTensor, ids: string): string {
    const q = quantizeTensor(table);
    const values = g.initializer(`${name}_quantized`, DataType.INT8, table.shape, () => int8Bytes(q.values));
    const scale = g.floats([q.scale]);
    const zero = g.initializer(`${name}_zero_point`, DataType.INT8, [], () => new Uint8Array(1));
    const rows = g.op('Gather', [values, ids], {}, `${name}/rows_quantized`);
    return g.op('DequantizeLinear', [rows, scale, zero], {}, `${name}/rows`);
  },
};
