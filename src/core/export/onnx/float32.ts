// The float32 precision: a Linear is MatMul(x, Wᵀ) + b with Wᵀ stored [in, out], as optimum's export has it
// (torch.onnx folds the transpose into the initializer). The transpose is made when the file is written, one
// tensor at a time; embeddings are written straight from the checkpoint's arrays.
import type { HostTensor } from '../../hub/tensors';
import type { OnnxPrecision } from '../../models/layers-onnx';
import { DataType, float32Bytes, type OnnxGraph } from './graph';

/** weight [out, in] → [in, out], row-major. */
export function transposed(weight: HostTensor): Float32Array {
  const [out, inDim] = weight.shape as [number, number];
  const src = weight.data;
  const dst = new Float32Array(src.length);
  for (let o = 0; o < out; o++) {
    const row = o * inDim;
    for (let i = 0; i < inDim; i++) dst[i * out + o] = src[row + i]!;
  }
  return dst;
}

export const float32Precision: OnnxPrecision = {
  linear(g: OnnxGraph, x: string, name: string, weight: HostTensor, bias: HostTensor): string {
    const [out, inDim] = weight.shape as [number, number];
    const w = g.initializer(`${name}.weight.T`, DataType.FLOAT, [inDim, out], () =>
      float32Bytes(transposed(weight)),
    );
    const b = g.weight(`${name}.bias`, bias);
    return g.op('Add', [g.op('MatMul', [x, w], {}, `${name}/matmul`), b], {}, name);
  },
  embedding(g: OnnxGraph, name: string, table: HostTensor, ids: string): string {
    return g.op('Gather', [g.weight(name, table), ids], {}, `${name}/rows`);
  },
};
