// BatchMatMul for the wasm backend, routed onto the one path of tfjs-backend-wasm's native kernel that is fast.
//
// The native kernel hands a product to XNNPACK only when there is a single matrix on each side and neither is
// transposed; every other case (transposeA, transposeB, a batch of matrices) runs a naive loop. Measured on
// this machine's cores at a bert-tiny FFN's shape (4096 × 128 × 512): 40 GFLOP/s plain, 3.7 with transposeB,
// 1.7 with transposeA, and 3.4 for the batched attention products. A BERT step is almost all such products:
// every Linear is x·Wᵀ (transposeB, weights stay [out, in]), its weight gradient is dYᵀ·x (transposeA), and
// attention multiplies a batch of [length × length] matrices. So this kernel transposes operands explicitly
// (a blocked copy) and calls the native kernel once per matrix of the batch, on views into the inputs: each
// call takes XNNPACK's path.
import * as tf from '@tensorflow/tfjs';

import { wasmKernelOverride } from './wasm-override';

interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPF32: Float32Array;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

interface WasmBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface MatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: unknown;
  attrs: { transposeA: boolean; transposeB: boolean };
}

type NativeMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const natives = new WeakMap<WasmModule, NativeMatMul>();

function nativeOf(wasm: WasmModule): NativeMatMul {
  let f = natives.get(wasm);
  if (!f) {
    const args = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    f = wasm.cwrap('BatchMatMul', null, args) as NativeMatMul;
    natives.set(wasm, f);
  }
  return f;
}

/** dst[c·rows + r] = src[r·cols + c] for `count` row-major [rows, cols] matrices laid end to end. */
export function transposeMatrices(
  heap: Float32Array,
  src: number,
  dst: number,
  count: number,
  rows: number,
  cols: number,
): void {
  const T = 32; // a tile whose rows and columns both stay in the cache
  for (let m = 0; m < count; m++) {
    const s = src + m * rows * cols;
    const d = dst + m * rows * cols;
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = Math.min(r0 + T, rows);
      for (let c0 = 0; c0 < cols; c0 += T) {
        const c1 = Math.min(c0 + T, cols);
        for (let r = r0; r < r1; r++) {
          let si = s + r * cols + c0;
          let di = d + c0 * rows + r;
          for (let c = c0; c < c1; c++) {
            heap[di] = heap[si]!;
            si += 1;
            di += rows;
          }
        }
      }
    }
  }
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

function sizeOf(shape: number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

function batchMatMul(args: MatMulArgs): tf.TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  const backend = args.backend as WasmBackend;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const fallback = () => override.original(args);
  // Broadcasting beyond "one side has a single matrix" and non-float data stay with tfjs's kernel.
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback();
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return fallback();
  const m = transposeA ? a.shape[a.shape.length - 1]! : a.shape[a.shape.length - 2]!;
  const k = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
  const kB = transposeB ? b.shape[b.shape.length - 1]! : b.shape[b.shape.length - 2]!;
  const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
        `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  if (m * n === 0) return out;
  const wasm = backend.wasm;
  const native = nativeOf(wasm);
  const outOffset = backend.dataIdMap.get(out.dataId).memoryOffset;
  if (k === 0) {
    wasm.HEAPF32.fill(0, outOffset / 4, outOffset / 4 + batch * m * n);
    return out;
  }

  // Operands in the plain layout, transposed into scratch memory when the attributes ask for it. (Measured on
  // 4 December 2026: for the lm_head's weight gradient, dYᵀ·x over 50,257 rows, computing (xᵀ·dY)ᵀ instead copies
  // 6.6M values in place of 51M, yet made a gpt2-tiny-lm step slower, 1.96 s against 1.72 s: XNNPACK then
  // packs the 51M-value dY as its weights, which costs more than our transpose.)
  const scratch: number[] = [];
  const plain = (t: tf.TensorInfo, count: number, rows: number, cols: number, transposed: boolean) => {
    const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
    if (!transposed) return offset;
    const copy = wasm._malloc(count * rows * cols * 4) >>> 0;
    if (copy === 0) {
      for (const p of scratch) wasm._free(p);
      throw new Error(`matMul on wasm: out of memory for a ${count}×${rows}×${cols} transposed operand`);
    }
    scratch.push(copy);
    // The heap view is read after the allocation, which may have grown (and replaced) the heap.
    transposeMatrices(wasm.HEAPF32, offset / 4, copy / 4, count, cols, rows);
    return copy;
  };
  const aBase = plain(a, batchA, m, k, transposeA);
  const bBase = plain(b, batchB, k, n, transposeB);

  // Views: tensor ids registered on slices of the operands, released after the call. A view of a shared
  // right-hand matrix is registered once, so XNNPACK packs it once (its operator is cached per tensor id).
  const view = (offset: number, size: number) => {
    const id = backend.dataIdNextNumber++;
    wasm.tfjs.registerTensor(id, size, offset);
    return id;
  };
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const sharedB = batchB === 1 ? view(bBase, k * n) : -1;
  try {
    for (let i = 0; i < batch; i++) {
      const aId = view(aBase + (batchA === 1 ? 0 : i * m * k * 4), m * k);
      const bId = sharedB >= 0 ? sharedB : view(bBase + i * k * n * 4, k * n);
      const outId = view(outOffset + i * m * n * 4, m * n);
      native(aId, aShape, 3, bId, bShape, 3, false, false, outId);
      wasm.tfjs.disposeData(aId);
      if (bId !== sharedB) wasm.tfjs.disposeData(bId);
      wasm.tfjs.disposeData(outId);
    }
  } finally {
    if (sharedB >= 0) wasm.tfjs.disposeData(sharedB);
    for (const p of scratch) wasm._free(p);
  }
  return out;
}

const override = wasmKernelOverride(tf.BatchMatMul, batchMatMul);

/** Whether BatchMatMul on wasm currently runs this module's kernel. */
export const wasmMatMulInstalled = override.installed;

/**
 * Replaces the wasm backend's BatchMatMul with the XNNPACK-routed one above (idempotent). tfjs's own kernel is
 * kept for the cases this one hands back (integer data, general batch broadcasting).
 */
export const registerWasmMatMul = override.install;

/** Puts tfjs's own wasm BatchMatMul back (for side-by-side measurements and tests). */
export const unregisterWasmMatMul = override.uninstall;
