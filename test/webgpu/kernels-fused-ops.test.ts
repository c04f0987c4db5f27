// The fused GELU, attention-probability and token cross-entropy ops on a real WebGPU device (Dawn): values and gradients equal
// the tfjs compositions they replace, within 1e-5. Tiny shapes: SwiftShader is slow.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { attentionProbs, fusedGelu, tokenCrossEntropy } from '../../src/core/kernels/fused-ops';
import { randomNormals } from '../unit/models-fixtures';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Infinity;
}

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
  const info = await initBackend({ prefer: 'webgpu' });
  expect(info.name).toBe('webgpu');
});

describe('fused ops on webgpu', () => {
  it('GELU and attention probabilities match their compositions, values and gradients', async () => {
    const x = tf.tensor2d(randomNormals(6 * 5, 2.5, 5), [6, 5]);
    const dx = tf.tensor2d(randomNormals(6 * 5, 1, 6), [6, 5]);
    const gelu = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(tf.erf(tf.mul(t, Math.SQRT1_2)), 1));
    const oursG = await valueAndGrads((t) => fusedGelu(t), [x], dx);
    const wantG = await valueAndGrads(gelu, [x], dx);
    expect(maxDiff(oursG[0]!, wantG[0]!)).toBeLessThan(1e-5);
    expect(maxDiff(oursG[1]!, wantG[1]!)).toBeLessThan(1e-5);

    const shape: [number, number, number, number] = [1, 2, 5, 4];
    const q = tf.tensor4d(randomNormals(40, 1, 7), shape);
    const k = tf.tensor4d(randomNormals(40, 1, 8), shape);
    const mask = tf.tensor4d([0, 0, 0, -3.4028234663852886e38, -3.4028234663852886e38], [1, 1, 1, 5]);
    const dy = tf.tensor4d(randomNormals(50, 1, 9), [1, 2, 5, 5]);
    const composed = (a: tf.Tensor, b: tf.Tensor) =>
      tf.softmax(tf.add(tf.div(tf.matMul(a, b, false, true), 2), mask), -1);
    const ours = await valueAndGrads(
      (a, b) => attentionProbs(a as tf.Tensor4D, b as tf.Tensor4D, mask, 2),
      [q, k],
      dy,
    );
    const want = await valueAndGrads((a, b) => composed(a!, b!), [q, k], dy);
    for (let i = 0; i < 3; i++) expect(maxDiff(ours[i]!, want[i]!)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(ours[1]!, Math.abs))).toBeGreaterThan(0.01);
    tf.dispose([x, dx, q, k, mask, dy]);
  });

  it('token cross-entropy matches the one-hot log-softmax, also where the target probability underflows', async () => {
    const values = randomNormals(4 * 50, 4, 21);
    values[50 + 7] = -120; // row 1's target, far below the row's maximum
    values[50 + 8] = 10;
    const logits = tf.tensor2d(values, [4, 50]);
    const targets = tf.tensor1d([3, 7, 11, 40], 'int32');
    const weights = tf.tensor1d([1 / 3, 1 / 3, 0, 1 / 3]);
    const composed = (l: tf.Tensor) =>
      tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, 50)), -1), weights)));
    const dy = tf.scalar(1.3);
    const ours = await valueAndGrads(
      (l) => tokenCrossEntropy(l as tf.Tensor2D, targets, weights),
      [logits],
      dy,
    );
    const want = await valueAndGrads(composed, [logits], dy);
    expect(want[0]![0]!).toBeGreaterThan(130 / 3);
    expect(Math.abs(ours[0]![0]! - want[0]![0]!)).toBeLessThan(1e-5 * want[0]![0]!);
    expect(maxDiff(ours[1]!, want[1]!)).toBeLessThan(1e-5);
    tf.dispose([logits, targets, weights, dy]);
  });
});
