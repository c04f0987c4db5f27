// Training on a real WebGPU device (Dawn): the dropout-mask kernel draws the same masks as on cpu, so a
// training-mode gradient of a tiny model (embeddings included) equals the cpu one; memory stays flat.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { dropoutMask, registerModelKernels } from '../../src/core/kernels';
import { buildClassifier } from '../../src/core/models/build';
import { tinyCheckpoint, tinyConfig, tinyInputs } from '../unit/models-fixtures';

async function gradientsOn(backend: string): Promise<Map<string, Float32Array>> {
  await tf.setBackend(backend);
  const model = buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 3, seed: 0 });
  const inputs = tinyInputs('bert');
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3));
  const vars = [...model.variables.values()];
  const { value, grads } = tf.variableGrads(
    () =>
      tf.losses.softmaxCrossEntropy(
        labels,
        model.forward(inputs, { training: true, dropoutSeed: 31 }),
      ) as tf.Scalar,
    vars,
  );
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.variables) out.set(name, (await grads[v.name]!.data()) as Float32Array);
  tf.dispose([value, grads, labels, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
  model.dispose();
  return out;
}

describe('training pieces on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
    registerModelKernels();
  });

  it('draws the same dropout mask as the cpu backend', async () => {
    const shape = [3, 1000, 101];
    await tf.setBackend('webgpu');
    const gpu = dropoutMask(shape, 0.1, 4242);
    const gpuValues = Array.from(await gpu.data());
    await tf.setBackend('cpu');
    const cpu = dropoutMask(shape, 0.1, 4242);
    const cpuValues = Array.from(await cpu.data());
    expect(gpuValues.filter((v) => v === 0).length).toBeGreaterThan(0);
    expect(gpuValues).toEqual(cpuValues);
    tf.dispose([cpu]);
    await tf.setBackend('webgpu');
    gpu.dispose();
  });

  it('covers masks larger than one dispatch row (65,535 workgroups × 64)', async () => {
    const size = 5_000_000;
    await tf.setBackend('webgpu');
    const gpu = dropoutMask([size], 0.1, 99);
    const gpuValues = (await gpu.data()) as Float32Array;
    await tf.setBackend('cpu');
    const cpu = dropoutMask([size], 0.1, 99);
    const cpuValues = (await cpu.data()) as Float32Array;
    let mismatches = 0;
    for (let i = 0; i < size; i++) if (gpuValues[i] !== cpuValues[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(gpuValues[size - 1]).toBe(cpuValues[size - 1]);
    cpu.dispose();
    await tf.setBackend('webgpu');
    gpu.dispose();
  });

  it('computes the training gradient of a tiny BERT as the cpu backend does', async () => {
    const cpu = await gradientsOn('cpu');
    const gpu = await gradientsOn('webgpu');
    expect(cpu.get('bert.embeddings.word_embeddings.weight')!.some((x) => x !== 0)).toBe(true);
    let worst = 0;
    for (const [name, c] of cpu) {
      const g = gpu.get(name)!;
      const scale = Math.max(...c.map(Math.abs), 1e-3);
      for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(g[i]! - c[i]!) / scale);
    }
    console.log(
      `tiny BERT training gradient, webgpu vs cpu: worst relative difference ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4);
  });

  it('keeps tf.memory().numTensors flat over 10 training steps', async () => {
    await tf.setBackend('webgpu');
    const model = buildClassifier(tinyConfig('roberta'), tinyCheckpoint('roberta'), {
      numLabels: 3,
      seed: 0,
    });
    const inputs = tinyInputs('roberta');
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 2], 'int32'), 3));
    const vars = [...model.variables.values()];
    const counts: number[] = [];
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () =>
            tf.losses.softmaxCrossEntropy(
              labels,
              model.forward(inputs, { training: true, dropoutSeed: i }),
            ) as tf.Scalar,
          vars,
        );
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.01)));
      });
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual(Array(10).fill(baseline));
    tf.dispose([labels, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
    model.dispose();
  });
});
