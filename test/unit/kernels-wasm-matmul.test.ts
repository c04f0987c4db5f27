// Our wasm BatchMatMul (transposes made explicit, one XNNPACK call per matrix) against tfjs's own wasm kernel
// and a float64 product computed here, for every transpose combination, batches, a shared right-hand matrix
// and its gradients.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  registerWasmMatMul,
  unregisterWasmMatMul,
  wasmMatMulInstalled,
} from '../../src/core/kernels/wasm-matmul';
import { randomNormals } from './models-fixtures';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Infinity;
}

/** out[b] = op(A[b]) · op(B[b]) in float64, batches broadcast when one side has a single matrix. */
function reference(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  ta: boolean,
  tb: boolean,
): Float64Array {
  const [ba, ra, ca] = aShape as [number, number, number];
  const [bb, rb, cb] = bShape as [number, number, number];
  const m = ta ? ca : ra;
  const k = ta ? ra : ca;
  const n = tb ? rb : cb;
  const batch = Math.max(ba, bb);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = (ba === 1 ? 0 : t) * ra * ca;
    const bo = (bb === 1 ? 0 : t) * rb * cb;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = ta ? a[ao + p * ca + i]! : a[ao + i * ca + p]!;
          const bv = tb ? b[bo + j * cb + p]! : b[bo + p * cb + j]!;
          s += av * bv;
        }
        out[t * m * n + i * n + j] = s;
      }
  }
  return out;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('BatchMatMul on wasm routed through XNNPACK', () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['plain 2-D', [1, 37, 19], [1, 19, 23], false, false],
    ['transposeB', [1, 37, 19], [1, 23, 19], false, true],
    ['transposeA', [1, 19, 37], [1, 19, 23], true, false],
    ['both transposed', [1, 19, 37], [1, 23, 19], true, true],
    ['a batch of matrices, transposeB', [6, 17, 8], [6, 17, 8], false, true],
    ['a batch, transposeA', [5, 9, 17], [5, 9, 11], true, false],
    ['a batch against one shared matrix', [4, 13, 7], [1, 7, 5], false, false],
    ['one matrix against a batch, transposed', [1, 7, 13], [3, 5, 7], true, true],
  ];

  it.each(cases)('%s equals a float64 product and tfjs own kernel', async (_, aShape, bShape, ta, tb) => {
    registerWasmMatMul();
    expect(wasmMatMulInstalled()).toBe(true);
    const aHost = randomNormals(
      aShape.reduce((x, y) => x * y),
      1,
      11,
    );
    const bHost = randomNormals(
      bShape.reduce((x, y) => x * y),
      1,
      12,
    );
    const a = tf.tensor3d(aHost, aShape as [number, number, number]);
    const b = tf.tensor3d(bHost, bShape as [number, number, number]);
    const before = tf.memory().numTensors;
    const ours = tf.matMul(a, b, ta, tb);
    const oursValues = await ours.data();
    expect(tf.memory().numTensors).toBe(before + 1);
    unregisterWasmMatMul();
    expect(wasmMatMulInstalled()).toBe(false);
    const stock = await tf.matMul(a, b, ta, tb).data();
    registerWasmMatMul();
    const want = reference(aHost, aShape, bHost, bShape, ta, tb);
    expect(ours.shape).toEqual([
      Math.max(aShape[0]!, bShape[0]!),
      ta ? aShape[2] : aShape[1],
      tb ? bShape[1] : bShape[2],
    ]);
    expect(maxDiff(oursValues, want)).toBeLessThan(1e-5);
    expect(maxDiff(oursValues, stock)).toBeLessThan(1e-5);
    tf.dispose([a, b, ours]);
  });

  it('gives matMul the same gradients as tfjs own kernel (a Linear: x · Wᵀ)', async () => {
    const x = tf.tensor2d(randomNormals(24 * 10, 1, 21), [24, 10]);
    const w = tf.tensor2d(randomNormals(7 * 10, 1, 22), [7, 10]);
    const dy = tf.tensor2d(randomNormals(24 * 7, 1, 23), [24, 7]);
    const grads = async () => {
      const g = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(xi, wi, false, true), dy)),
      );
      const [gx, gw] = g([x, w]);
      const out = [await gx!.data(), await gw!.data()];
      tf.dispose([gx!, gw!]);
      return out;
    };
    registerWasmMatMul();
    const ours = await grads();
    unregisterWasmMatMul();
    const stock = await grads();
    registerWasmMatMul();
    expect(maxDiff(ours[0]!, stock[0]!)).toBeLessThan(1e-5);
    expect(maxDiff(ours[1]!, stock[1]!)).toBeLessThan(1e-5);
    // Not all zeros: the comparison means something.
    expect(Math.max(...Array.from(ours[1]!, Math.abs))).toBeGreaterThan(0.1);
    tf.dispose([x, w, dy]);
  });

  it('keeps int32 products on tfjs own kernel', async () => {
    registerWasmMatMul();
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32');
    expect(() => tf.matMul(a, b)).toThrow(/non-float32/);
    tf.dispose([a, b]);
  });
});
