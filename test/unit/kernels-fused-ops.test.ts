// The fused GELU and attention-probability ops (one taped op each, hand-written gradients) against the tfjs
// compositions they replace: values and gradients within 1e-5, on cpu and wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { attentionProbs, fusedGelu } from '../../src/core/kernels/fused-ops';
import { registerModelKernels } from '../../src/core/kernels';
import { randomNormals } from './models-fixtures';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Infinity;
}

const composedGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));

function composedProbs(q: tf.Tensor, k: tf.Tensor, mask: tf.Tensor, divisor: number): tf.Tensor {
  return tf.softmax(tf.add(tf.div(tf.matMul(q, k, false, true), divisor), mask), -1);
}

/** Values and input gradients of sum(f(inputs) · dy). */
async function valueAndGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  dy: tf.Tensor,
): Promise<Float32Array[]> {
  const value = f(...inputs);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), dy)))(inputs);
  const out = [(await value.data()) as Float32Array];
  for (const g of grads) out.push((await g.data()) as Float32Array);
  tf.dispose([value, ...grads]);
  return out;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  await initBackend({ prefer: 'cpu' });
  registerModelKernels();
});

describe.each(['cpu', 'wasm'])('fused ops on %s', (backend) => {
  it('GELU: the values and gradient of the erf composition', async () => {
    await tf.setBackend(backend);
    // Wide enough to reach both tails, where erf saturates.
    const x = tf.tensor2d(randomNormals(40 * 9, 2.5, 5), [40, 9]);
    const dy = tf.tensor2d(randomNormals(40 * 9, 1, 6), [40, 9]);
    const ours = await valueAndGrads((t) => fusedGelu(t), [x], dy);
    const want = await valueAndGrads(composedGelu, [x], dy);
    expect(maxDiff(ours[0]!, want[0]!)).toBeLessThan(1e-5);
    expect(maxDiff(ours[1]!, want[1]!)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(ours[1]!, Math.abs))).toBeGreaterThan(0.5);
    tf.dispose([x, dy]);
  });

  it('attention probabilities: softmax(q kᵀ / √d + mask) and the gradients of q and k', async () => {
    await tf.setBackend(backend);
    const [batch, heads, length, size] = [2, 3, 7, 4];
    const n = batch * heads * length * size;
    const q = tf.tensor4d(randomNormals(n, 1, 7), [batch, heads, length, size]);
    const k = tf.tensor4d(randomNormals(n, 1, 8), [batch, heads, length, size]);
    // The second sequence has two padded keys: the additive mask transformers builds.
    const keep = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const mask = tf.tensor4d(
      keep.map((v) => (1 - v) * -3.4028234663852886e38),
      [batch, 1, 1, length],
    );
    const dy = tf.tensor4d(randomNormals(batch * heads * length * length, 1, 9), [
      batch,
      heads,
      length,
      length,
    ]);
    const divisor = Math.sqrt(size);
    const ours = await valueAndGrads(
      (a, b) => attentionProbs(a as tf.Tensor4D, b as tf.Tensor4D, mask, divisor),
      [q, k],
      dy,
    );
    const want = await valueAndGrads((a, b) => composedProbs(a!, b!, mask, divisor), [q, k], dy);
    for (let i = 0; i < 3; i++) expect(maxDiff(ours[i]!, want[i]!)).toBeLessThan(1e-5);
    // Padded keys get probability 0.
    expect(ours[0]![(heads * length + 0) * length + 12 - length]).toBe(0);
    expect(Math.max(...Array.from(ours[2]!, Math.abs))).toBeGreaterThan(0.01);
    tf.dispose([q, k, mask, dy]);
  });

  it('keeps no tensors beyond its results', async () => {
    await tf.setBackend(backend);
    const x = tf.variable(tf.tensor2d(randomNormals(12, 1, 3), [3, 4]));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(fusedGelu(x)), [x]);
    expect(tf.memory().numTensors).toBe(before + 2); // the loss and one gradient
    tf.dispose([value, grads]);
    x.dispose();
  });
});
