// The fused GELU, attention-probability, layer-norm and token cross-entropy ops (one taped op each, hand-written
// gradients) against the tfjs compositions they replace: values and gradients within 1e-5, on cpu and wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  attentionProbs,
  fusedGelu,
  fusedLayerNorm,
  tokenCrossEntropy,
} from '../../src/core/kernels/fused-ops';
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

function composedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** The token cross-entropy as a one-hot over log-softmax: −Σₙ wₙ · log_softmax(logitsₙ)[targetₙ]. */
function composedTokenCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Tensor {
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(targets, logits.shape[1])), -1);
  return tf.neg(tf.sum(tf.mul(picked, weights)));
}

/**
 * Logits [rows, vocab] with a spread like a language model's, one row whose target lies 120 below its maximum
 * (its softmax probability underflows to 0 in float32), targets and weights with an ignored row (weight 0).
 */
function tokenLossInputs(rows: number, vocab: number) {
  const values = randomNormals(rows * vocab, 4, 21);
  const targets = Array.from({ length: rows }, (_, r) => (r * 37 + 5) % vocab);
  values[vocab + targets[1]!] = -120;
  values[vocab + ((targets[1]! + 1) % vocab)] = 10;
  const weights = Array.from({ length: rows }, (_, r) => (r === 2 ? 0 : 1 / (rows - 1)));
  return {
    logits: tf.tensor2d(values, [rows, vocab]),
    targets: tf.tensor1d(targets, 'int32'),
    weights: tf.tensor1d(weights),
  };
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

  it('layer norm: the values and the gradients of x, γ and β of the composition', async () => {
    await tf.setBackend(backend);
    const [batch, length, hidden] = [2, 5, 16];
    const n = batch * length * hidden;
    // Rows with an offset and a spread, as residual streams have.
    const x = tf.tensor3d(
      randomNormals(n, 3, 11).map((v, i) => v + (i % 7) - 3),
      [batch, length, hidden],
    );
    const gamma = tf.tensor1d(randomNormals(hidden, 0.5, 12).map((v) => 1 + v));
    const beta = tf.tensor1d(randomNormals(hidden, 0.5, 13));
    const dy = tf.tensor3d(randomNormals(n, 1, 14), [batch, length, hidden]);
    const ours = await valueAndGrads((a, g, b) => fusedLayerNorm(a!, g!, b!, 1e-12), [x, gamma, beta], dy);
    const want = await valueAndGrads((a, g, b) => composedLayerNorm(a!, g!, b!, 1e-12), [x, gamma, beta], dy);
    for (let i = 0; i < 4; i++) expect(maxDiff(ours[i]!, want[i]!)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(ours[1]!, Math.abs))).toBeGreaterThan(0.05);
    tf.dispose([x, gamma, beta, dy]);
  });

  it('layer norm: the gradient of x agrees with central finite differences', async () => {
    await tf.setBackend(backend);
    const [rows, hidden] = [3, 8];
    const xs = randomNormals(rows * hidden, 1, 21);
    const gamma = tf.tensor1d(randomNormals(hidden, 0.5, 22).map((v) => 1 + v));
    const beta = tf.tensor1d(randomNormals(hidden, 0.5, 23));
    const w = tf.tensor2d(randomNormals(rows * hidden, 1, 24), [rows, hidden]);
    // f(x) = Σ layerNorm(x)·w, a scalar whose gradient is the op's vector-Jacobian product with w.
    const f = (data: number[]) =>
      tf.tidy(() => tf.sum(tf.mul(fusedLayerNorm(tf.tensor2d(data, [rows, hidden]), gamma, beta, 1e-5), w)));
    const x = tf.tensor2d(xs, [rows, hidden]);
    const grad = await tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(fusedLayerNorm(t, gamma, beta, 1e-5), w)))(x)
      .data();
    const h = 1e-2;
    for (const i of [0, 5, 9, 17, 23]) {
      const up = [...xs];
      const down = [...xs];
      up[i]! += h;
      down[i]! -= h;
      const fd = ((await f(up).data())[0]! - (await f(down).data())[0]!) / (2 * h);
      expect(Math.abs(fd - grad[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    }
    tf.dispose([x, gamma, beta, w]);
  });

  it('token cross-entropy: the value and logits gradient of the one-hot log-softmax, without underflow', async () => {
    await tf.setBackend(backend);
    const { logits, targets, weights } = tokenLossInputs(6, 300);
    const dy = tf.scalar(1.7);
    const ours = await valueAndGrads(
      (l) => tokenCrossEntropy(l as tf.Tensor2D, targets, weights),
      [logits],
      dy,
    );
    const want = await valueAndGrads(
      (l) => composedTokenCrossEntropy(l as tf.Tensor2D, targets, weights),
      [logits],
      dy,
    );
    // Row 1 alone contributes 130 / 5 to the loss: its target probability is 0 in float32, its loss is not.
    expect(want[0]![0]!).toBeGreaterThan(26);
    expect(Math.abs(ours[0]![0]! - want[0]![0]!)).toBeLessThan(1e-5 * Math.abs(want[0]![0]!));
    expect(maxDiff(ours[1]!, want[1]!)).toBeLessThan(1e-5);
    // The ignored row has no gradient; every other row's sums to 0 (softmax minus the one-hot).
    const row = (r: number) => ours[1]!.slice(r * 300, (r + 1) * 300);
    expect(Math.max(...Array.from(row(2), Math.abs))).toBe(0);
    expect(Math.abs(row(0).reduce((a, b) => a + b, 0))).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(row(0), Math.abs))).toBeGreaterThan(0.1);
    tf.dispose([logits, targets, weights, dy]);
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
