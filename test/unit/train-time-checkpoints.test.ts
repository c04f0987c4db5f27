// Checkpoints on time: with save_seconds set, the trainer hands over a checkpoint once that much training time
// has passed since the last one (of any kind), and a run resumed from such a checkpoint ends with exactly the
// weights of an uninterrupted run (cpu backend).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { train, type TrainerCheckpoint } from '../../src/core/train/trainer';
import { snapshotWeights } from '../../src/core/train/weights';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const trainSet = toyDataset(40, 21);
const args = {
  eval_strategy: 'no' as const,
  num_train_epochs: 2,
  per_device_train_batch_size: 4,
  learning_rate: 0.01,
  logging_steps: 1,
};

describe('time-based checkpoints', () => {
  it('checkpoints every save_seconds of training, counted from the last checkpoint', async () => {
    // A clock that moves 25 s per optimizer step (onLog runs once a step, before the checkpoint check).
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const model = createToyClassifier();
    const steps: number[] = [];
    await train(
      model,
      { train: trainSet },
      { ...args, save_seconds: 60 },
      {
        onLog: () => {
          now += 25_000;
        },
        onCheckpoint: (c) => {
          steps.push(c.globalStep);
        },
      },
    );
    // 20 steps; 60 s is first passed at 75 s (step 3), then again three steps after each checkpoint.
    expect(steps).toEqual([3, 6, 9, 12, 15, 18]);
    model.dispose();
  });

  it('makes no time-based checkpoint when save_seconds is 0', async () => {
    const model = createToyClassifier();
    const steps: number[] = [];
    await train(
      model,
      { train: trainSet },
      { ...args, save_seconds: 0 },
      { onCheckpoint: (c) => void steps.push(c.globalStep) },
    );
    expect(steps).toEqual([]);
    model.dispose();
  });

  it('resumes from a time-based checkpoint to the same weights as an uninterrupted run', async () => {
    const whole = createToyClassifier();
    await train(whole, { train: trainSet }, { ...args, save_seconds: 0 });
    const expected = await snapshotWeights(whole);
    whole.dispose();

    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    const first = createToyClassifier();
    const saved: TrainerCheckpoint[] = [];
    const control = { aborted: false };
    await train(
      first,
      { train: trainSet },
      { ...args, save_seconds: 60 },
      {
        signal: control,
        onLog: (record) => {
          now += 25_000;
          // The tab goes away after step 7: what is kept is the checkpoint made on time at step 6.
          if (record.step === 7) control.aborted = true;
        },
        onCheckpoint: (c) => void saved.push(c),
      },
    );
    first.dispose();
    clock.mockRestore();
    const onTime = saved.find((c) => c.globalStep === 6);
    expect(onTime).toBeDefined();

    const resumed = createToyClassifier();
    const result = await train(
      resumed,
      { train: trainSet },
      { ...args, save_seconds: 60 },
      { resumeFrom: onTime },
    );
    expect(result.globalStep).toBe(20);
    const got = await snapshotWeights(resumed);
    for (const [name, w] of expected) expect([...got.get(name)!.data], name).toEqual([...w.data]);
    resumed.dispose();
  });
});
