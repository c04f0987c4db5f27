// Sum for the wasm backend when it reduces a float32 tensor over its leading axes (a bias's gradient: the
// output gradient [rows, features] summed over the rows), done as one pass over the rows in place of
// tfjs-backend-wasm's transpose-then-reduce.
//
// tfjs-backend-wasm reduces only innermost axes, so for leading ones it first transposes the whole tensor. In a
// MiniLM-L6-shaped step (micro-batch 8 × 128 tokens) the 62 bias-gradient sums took 6.5 % of the kernel time,
// 11.8 ms each for [1024, 1536]. Accumulating row by row into float32 adds the same values in the same order as
// the transposed reduction (row 0 first, one float32 rounding per addition), so the result is bit for bit
// tfjs's own; every other reduction stays with tfjs's kernel.
import * as tf from '@tensorflow/tfjs';

import { wasmKernelOverride } from './wasm-override';

interface SumArgs {
  inputs: { x: tf.TensorInfo };
  backend: {
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  };
  attrs: { axis: number | number[]; keepDims: boolean };
}

/**
 * The number of leading axes `axis` names, in order (0, 1, … with no gap), or -1 for any other list. The order
 * matters: tfjs's kernel adds in the order the axes are given, so only then are the bits the same.
 */
export function leadingAxes(axis: number | number[], shape: number[]): number {
  const axes = tf.util.parseAxisParam(axis, shape);
  return axes.every((a, i) => a === i) ? axes.length : -1;
}

/**
 * out[c] = Σ_r x[r·cols + c], accumulated in float32 from row 0 on: four rows per pass over out, each addition
 * rounded to float32 (Math.fround) as a float32 accumulator would, which is 1.5× faster than a row per pass
 * and gives the same bits.
 */
export function sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const f = Math.fround;
  out.fill(0);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    for (let c = 0; c < cols; c++)
      out[c] = f(f(f(f(out[c]! + x[b0 + c]!) + x[b1 + c]!) + x[b2 + c]!) + x[b3 + c]!);
  }
  for (; r < rows; r++) {
    const b0 = r * cols;
    for (let c = 0; c < cols; c++) out[c] = out[c]! + x[b0 + c]!;
  }
}

function sum(args: SumArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs;
  const lead = x.dtype === 'float32' ? leadingAxes(axis, x.shape) : -1;
  // No axis, all axes, or not the leading ones: tfjs's kernel (already innermost, or a different layout).
  if (lead <= 0 || lead >= x.shape.length) return override.original(args);
  const kept = x.shape.slice(lead);
  const rows = x.shape.slice(0, lead).reduce((p, d) => p * d, 1);
  const cols = kept.reduce((p, d) => p * d, 1);
  const out = args.backend.makeOutput(
    keepDims ? [...x.shape.slice(0, lead).fill(1), ...kept] : kept,
    'float32',
  );
  // Heap views after makeOutput, which may have grown (and replaced) the heap.
  if (cols > 0) sumRows(args.backend.typedArrayFromHeap(x), rows, cols, args.backend.typedArrayFromHeap(out));
  return out;
}

const override = wasmKernelOverride(tf.Sum, sum);

/** Whether Sum on wasm currently runs this module's kernel. */
export const wasmSumInstalled = override.installed;

/** Replaces the wasm backend's Sum with the one above (idempotent; no-op without wasm). */
export const registerWasmSum = override.install;

/** Puts tfjs's own Sum back (for side-by-side measurements and tests). */
export const unregisterWasmSum = override.uninstall;
