// Resume on a real WebGPU device: a BERT run stopped part-way and resumed from its checkpoint bytes ends with the
// weights of a run that was never interrupted, within float tolerance. WebGPU training is not bit-reproducible
// (the embedding gradient adds with atomics, in no fixed order): two uninterrupted runs here differ by ~3e-5,
// and Adam carries such differences on. A wrong resume (another data order, lost moments, a broken norm) moves
// weights by 1e-2 or more; training itself moves them by ~0.5. The bound, 1e-3, sits between.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/core/train/checkpoint';
import { train } from '../../src/core/train/trainer';
import { snapshotWeights } from '../../src/core/train/weights';
import { tinyCheckpoint, tinyConfig, tinyExamples } from '../unit/models-fixtures';

const trainSet = tinyExamples(24, 3);
const evalSet = tinyExamples(8, 4);
const args = {
  learning_rate: 1e-2,
  num_train_epochs: 2,
  per_device_train_batch_size: 4,
  eval_strategy: 'epoch' as const,
  logging_steps: 2,
  seed: 7,
};
const build = () => buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 2, seed: 11 });

describe('resume on webgpu', () => {
  beforeAll(async () => {
    expect((await initBackend({ prefer: 'webgpu' })).name).toBe('webgpu');
  });

  it('ends with the weights of an uninterrupted run', async () => {
    const straight = build();
    const full = await train(straight, { train: trainSet, eval: evalSet }, args);
    expect(full.status).toBe('completed');

    const first = build();
    const signal = { aborted: false };
    const part = await train(first, { train: trainSet, eval: evalSet }, args, {
      signal,
      onLog: (r) => {
        if (r.step === 4) signal.aborted = true;
      },
    });
    expect(part.status).toBe('stopped');
    expect(part.globalStep).toBeLessThan(full.globalStep);
    const checkpoint = decodeCheckpoint(encodeCheckpoint(part.checkpoint!));

    const second = build();
    const resumed = await train(second, { train: trainSet, eval: evalSet }, args, { resumeFrom: checkpoint });
    expect(resumed.globalStep).toBe(full.globalStep);
    const a = await snapshotWeights(straight);
    const b = await snapshotWeights(second);
    let worst = 0;
    let moved = 0;
    const initial = tinyCheckpoint('bert');
    for (const [name, w] of a) {
      const other = b.get(name)!.data;
      w.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - other[i]!))));
      const before = initial.get(name)?.data;
      if (before) w.data.forEach((v, i) => (moved = Math.max(moved, Math.abs(v - before[i]!))));
    }
    console.log(
      `webgpu resume: max |weight difference| ${worst.toExponential(2)}, training moved weights by ${moved.toFixed(3)}`,
    );
    expect(moved).toBeGreaterThan(1e-2); // the run really trained
    expect(worst).toBeLessThan(1e-3);
    tf.dispose([...straight.variables.values(), ...first.variables.values(), ...second.variables.values()]);
  });
});
