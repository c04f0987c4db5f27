// UnsortedSegmentSum for the wasm and cpu backends, written as a plain scatter-add over the data.
//
// tf.gather's gradient (the gradient of every embedding lookup) is an UnsortedSegmentSum. The wasm backend
// has no such kernel, so embeddings could not train there; the cpu backend has one that loops over every
// segment (the whole vocabulary) with a full pass over the data each time, which takes minutes for a 30k-word
// vocabulary. This single pass does the same sum in O(data).
import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray;
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: TypedArray): tf.TensorInfo;
}

interface SegmentSumArgs {
  inputs: { x?: tf.TensorInfo; segmentIds?: tf.TensorInfo };
  attrs?: { numSegments?: unknown };
}

/** out[ids[i], :] += x[i, :], rows whose id is outside [0, numSegments) dropped, as TensorFlow does. */
export function scatterAddRows(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  numSegments: number,
  out: TypedArray,
): void {
  out.fill(0);
  const rows = ids.length;
  const inner = rows === 0 ? 0 : x.length / rows;
  for (let r = 0; r < rows; r++) {
    const id = ids[r]!;
    if (id < 0 || id >= numSegments) continue;
    const src = r * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

function unpack(args: SegmentSumArgs): {
  x: tf.TensorInfo;
  ids: tf.TensorInfo;
  numSegments: number;
  shape: number[];
} {
  const { x, segmentIds } = args.inputs;
  const numSegments = Number(args.attrs?.numSegments);
  if (!x || !segmentIds || !Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error('UnsortedSegmentSum needs x, segmentIds and a non-negative integer numSegments');
  }
  // x is [...segmentIds.shape, ...inner]; the result is [numSegments, ...inner].
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return { x, ids: segmentIds, numSegments, shape };
}

function wasmKernel(args: SegmentSumArgs & { backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, ids, numSegments, shape } = unpack(args);
  const out = backend.makeOutput(shape, x.dtype);
  // Views onto the wasm heap, taken after the allocation above (which may grow and move the heap).
  const outValues = backend.typedArrayFromHeap(out);
  scatterAddRows(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(ids), numSegments, outValues);
  return out;
}

function cpuKernel(args: SegmentSumArgs & { backend: unknown }): tf.TensorInfo {
  const backend = args.backend as CpuBackendLike;
  const { x, ids, numSegments, shape } = unpack(args);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  const values = backend.data.get(x.dataId).values as TypedArray;
  scatterAddRows(values, backend.data.get(ids.dataId).values as TypedArray, numSegments, out);
  return backend.makeTensorInfo(shape, x.dtype, out);
}

const KERNELS: Record<'wasm' | 'cpu', tf.KernelFunc> = {
  wasm: wasmKernel as unknown as tf.KernelFunc,
  cpu: cpuKernel as unknown as tf.KernelFunc,
};

/**
 * Registers the scatter-add UnsortedSegmentSum for wasm (which lacks one) and cpu (whose own is far slower).
 * Safe to call any number of times: a backend that already runs this kernel is left alone.
 */
export function registerSegmentSumKernels(): void {
  for (const backendName of ['wasm', 'cpu'] as const) {
    const kernelFunc = KERNELS[backendName];
    const current = tf.getKernel(tf.UnsortedSegmentSum, backendName);
    if (current?.kernelFunc === kernelFunc) continue;
    if (current) tf.unregisterKernel(tf.UnsortedSegmentSum, backendName);
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName, kernelFunc });
  }
}
