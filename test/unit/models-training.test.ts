// What training relies on: no tensor leaks over many forward/backward passes, and dropout that is off in
// eval, on in training, and reproducible from its seed.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import { Dropout } from '../../src/core/models/layers';
import type { SequenceClassifier } from '../../src/core/models/types';
import { tinyCheckpoint, tinyConfig, tinyInputs, type TinyArch } from './models-fixtures';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  await initBackend({ prefer: 'cpu' });
});

async function logits(model: SequenceClassifier, training: boolean, dropoutSeed?: number): Promise<number[]> {
  const inputs = tinyInputs(model.architecture as TinyArch);
  const out = model.forward(inputs, { training, dropoutSeed });
  const values = Array.from(await out.data());
  tf.dispose([out, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
  return values;
}

describe('memory over forward/backward passes', () => {
  it.each([
    ['cpu', 'bert'],
    ['wasm', 'roberta'],
    ['wasm', 'distilbert'],
  ] as const)('%s, %s: tf.memory().numTensors stays flat over 30 training steps', async (backend, arch) => {
    await tf.setBackend(backend);
    const start = tf.memory().numTensors;
    const model = buildClassifier(tinyConfig(arch as TinyArch), tinyCheckpoint(arch as TinyArch), {
      numLabels: 3,
      seed: 0,
    });
    const inputs = tinyInputs(arch as TinyArch);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 2], 'int32'), 3));
    const vars = [...model.variables.values()].filter((v) => v.trainable);
    const step = (i: number) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.losses.softmaxCrossEntropy(
              labels,
              model.forward(inputs, { training: true, dropoutSeed: i }),
            ) as tf.Scalar,
          vars,
        );
        // A plain SGD update, as the trainer's optimizer will do, so the weights change between steps.
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.01)));
        return value.dataSync()[0]!;
      });
    const baseline = tf.memory().numTensors;
    const counts: number[] = [];
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      losses.push(step(i));
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual(Array(30).fill(baseline));
    expect(losses.every(Number.isFinite)).toBe(true);
    tf.dispose([labels, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('dropout', () => {
  it('is off in eval: the seed does not matter and repeated passes agree exactly', async () => {
    await tf.setBackend('cpu');
    const model = buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 3, seed: 0 });
    const a = await logits(model, false, 1);
    expect(await logits(model, false, 2)).toEqual(a);
    expect(await logits(model, false)).toEqual(a);
    model.dispose();
  });

  it.each(['bert', 'distilbert', 'roberta'] as const)(
    '%s: is on in training, the same seed gives the same output, another seed another',
    async (arch) => {
      await tf.setBackend('cpu');
      const model = buildClassifier(tinyConfig(arch), tinyCheckpoint(arch), { numLabels: 3, seed: 0 });
      const evalOut = await logits(model, false);
      const a = await logits(model, true, 7);
      expect(await logits(model, true, 7)).toEqual(a);
      expect(a).not.toEqual(evalOut);
      expect(await logits(model, true, 8)).not.toEqual(a);
      model.dispose();
    },
  );

  it('drops the configured fraction and scales the rest by 1 / (1 − rate), as torch does', async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([20000]);
    const out = new Dropout(true, 5).apply(x, 0.25);
    const values = await out.data();
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.24);
    expect(zeros).toBeLessThan(0.26);
    expect(values.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    // Calls within one pass get their own masks.
    const pass = new Dropout(true, 5);
    const [m1, m2] = [pass.apply(x, 0.25), pass.apply(x, 0.25)];
    expect(Array.from(await m1.data())).not.toEqual(Array.from(await m2.data()));
    expect(new Dropout(false, 5).apply(x, 0.25)).toBe(x);
    tf.dispose([x, out, m1, m2]);
  });
});
