import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { snapshotWeights } from '../../src/core/train/weights';
import { train, type LogRecord, type TrainerCheckpoint } from '../../src/core/train/trainer';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const trainSet = toyDataset(96, 1);
const evalSet = toyDataset(64, 2);

describe('trainer on a tiny real classifier', () => {
  it('learns the toy task, logs as transformers does, and keeps tf.memory flat', async () => {
    const model = createToyClassifier();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const logs: LogRecord[] = [];
    const result = await train(
      model,
      { train: trainSet, eval: evalSet },
      {
        learning_rate: 0.05,
        num_train_epochs: 4,
        per_device_train_batch_size: 8,
        logging_steps: 1,
        warmup_ratio: 0.1,
        eval_strategy: 'epoch',
      },
      {
        onLog: (r) => {
          logs.push(r);
          if (!('train_runtime' in r)) counts.push(tf.memory().numTensors);
        },
      },
    );
    expect(result.status).toBe('completed');
    expect(result.globalStep).toBe(48);
    // Flat over every step and evaluation (the optimizer's moments exist while it runs), and all freed after.
    expect(counts).toHaveLength(52);
    expect(counts).toEqual(counts.map(() => before + 2 * model.variables.size));
    expect(tf.memory().numTensors).toBe(before);
    const evals = result.logHistory.filter((r) => 'eval_loss' in r);
    expect(evals.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(evals[0]!.eval_accuracy).toBeGreaterThan(0.5);
    expect(evals.at(-1)!.eval_accuracy).toBeGreaterThan(0.9);
    expect(evals.at(-1)!.eval_loss).toBeLessThan(evals[0]!.eval_loss!);
    const steps = result.logHistory.filter((r) => 'loss' in r);
    expect(steps).toHaveLength(48);
    // warmup ceil(0.1 × 48) = 5 steps; the rate logged after step s is the one for step s.
    expect(steps[0]!.learning_rate).toBeCloseTo(0.05 / 5, 12);
    expect(steps[4]!.learning_rate).toBeCloseTo(0.05, 12);
    expect(steps.at(-1)!.learning_rate).toBe(0);
    expect(steps[11]!.epoch).toBe(1);
    expect(Object.keys(result.logHistory.at(-1)!)).toEqual(
      expect.arrayContaining(['train_runtime', 'train_loss', 'train_samples_per_second']),
    );
    expect(logs).toEqual(result.logHistory);
    model.dispose();
  });

  it('resumes from a checkpoint to exactly the weights of an uninterrupted run', async () => {
    const args = {
      learning_rate: 0.03,
      num_train_epochs: 3,
      per_device_train_batch_size: 5,
      gradient_accumulation_steps: 2,
      logging_steps: 1,
      weight_decay: 0.01,
      eval_strategy: 'steps' as const,
      eval_steps: 7,
      group_by_length: true,
    };
    const straight = createToyClassifier({ seed: 3 });
    const full = await train(straight, { train: trainSet, eval: evalSet }, args);
    const expected = await snapshotWeights(straight);

    for (const stopAt of [4, 10, 20]) {
      const first = createToyClassifier({ seed: 3 });
      const signal = { aborted: false };
      const part = await train(first, { train: trainSet, eval: evalSet }, args, {
        signal,
        onLog: (r) => {
          if (r.step === stopAt && 'loss' in r) signal.aborted = true;
        },
      });
      expect(part.status).toBe('stopped');
      expect(part.globalStep).toBe(stopAt);
      first.dispose();
      // A fresh model with other initial weights: the checkpoint alone must carry the run.
      const second = createToyClassifier({ seed: 99 });
      const rest = await train(second, { train: trainSet, eval: evalSet }, args, {
        resumeFrom: part.checkpoint,
      });
      expect(rest.globalStep).toBe(full.globalStep);
      const got = await snapshotWeights(second);
      for (const [name, w] of expected)
        expect(Array.from(got.get(name)!.data), name).toEqual(Array.from(w.data));
      const strip = (h: LogRecord[]) =>
        h.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !/runtime|per_second/.test(k))));
      expect(strip(rest.logHistory)).toEqual(strip(full.logHistory));
      second.dispose();
    }
    straight.dispose();
  });

  it('resumes across an epoch boundary checkpoint with per-epoch evaluation', async () => {
    const args = {
      learning_rate: 0.03,
      num_train_epochs: 3,
      per_device_train_batch_size: 16,
      seed: 7,
      eval_strategy: 'epoch' as const,
    };
    const straight = createToyClassifier({ seed: 4 });
    const full = await train(straight, { train: trainSet, eval: evalSet }, args);
    const checkpoints: TrainerCheckpoint[] = [];
    const other = createToyClassifier({ seed: 4 });
    await train(other, { train: trainSet, eval: evalSet }, args, {
      onCheckpoint: (c) => void checkpoints.push(c),
    });
    expect(checkpoints.map((c) => [c.epoch, c.batchInEpoch, c.globalStep])).toEqual([
      [1, 0, 6],
      [2, 0, 12],
      [3, 0, 18],
    ]);
    const resumed = createToyClassifier({ seed: 5 });
    const rest = await train(resumed, { train: trainSet, eval: evalSet }, args, {
      resumeFrom: checkpoints[0],
    });
    expect(rest.logHistory.filter((r) => 'eval_loss' in r)).toHaveLength(3);
    const a = await snapshotWeights(straight);
    const b = await snapshotWeights(resumed);
    for (const [name, w] of a) expect(Array.from(b.get(name)!.data), name).toEqual(Array.from(w.data));
    expect(full.globalStep).toBe(18);
    for (const m of [straight, other, resumed]) m.dispose();
  });

  it('refuses to resume with a different recipe', async () => {
    const model = createToyClassifier();
    const signal = { aborted: true };
    const part = await train(
      model,
      { train: trainSet },
      { eval_strategy: 'no', learning_rate: 0.01 },
      { signal },
    );
    await expect(
      train(
        model,
        { train: trainSet },
        { eval_strategy: 'no', learning_rate: 0.01, seed: 1 },
        { resumeFrom: part.checkpoint },
      ),
    ).rejects.toThrow('Cannot resume: the checkpoint was made with seed=42, this run has seed=1');
    model.dispose();
  });
});
