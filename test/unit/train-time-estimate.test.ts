// The estimated time before Start: the arithmetic that turns a measured micro-batch into a run's seconds, and
// the measurement itself, which must leave the model exactly as it found it (no update, nothing leaked).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { sequenceClassificationTask } from '../../src/core/tasks/sequence-classification';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import {
  estimateTrainingSeconds,
  evaluationCount,
  FORWARD_SHARE,
  runSecondsEstimate,
} from '../../src/core/train/time-estimate';
import { measureMicroBatchSeconds } from '../../src/core/train/warm-up';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('estimateTrainingSeconds', () => {
  it('is steps × accumulation × the micro-batch, plus each evaluation', () => {
    expect(
      estimateTrainingSeconds({ secondsPerMicroBatch: 0.5, totalSteps: 30, gradientAccumulationSteps: 1 }),
    ).toBe(15);
    expect(
      estimateTrainingSeconds({
        secondsPerMicroBatch: 0.25,
        totalSteps: 10,
        gradientAccumulationSteps: 4,
        evaluations: 3,
        secondsPerEvaluation: 2,
      }),
    ).toBe(16); // 0.25 × 10 × 4 + 3 × 2
  });

  it('refuses a negative or non-finite figure rather than showing a nonsense time', () => {
    expect(() =>
      estimateTrainingSeconds({ secondsPerMicroBatch: NaN, totalSteps: 1, gradientAccumulationSteps: 1 }),
    ).toThrow(/secondsPerMicroBatch/);
    expect(() =>
      estimateTrainingSeconds({ secondsPerMicroBatch: 1, totalSteps: -1, gradientAccumulationSteps: 1 }),
    ).toThrow(/totalSteps/);
  });

  it('counts evaluations as the trainer runs them', () => {
    const logging_steps = 5;
    expect(evaluationCount({ eval_strategy: 'no', logging_steps }, 100, 10)).toBe(0);
    expect(evaluationCount({ eval_strategy: 'epoch', logging_steps }, 30, 10)).toBe(3);
    // 2.5 epochs: the third epoch is begun and ends with an evaluation too.
    expect(evaluationCount({ eval_strategy: 'epoch', logging_steps }, 25, 10)).toBe(3);
    expect(evaluationCount({ eval_strategy: 'steps', eval_steps: 7, logging_steps }, 30, 10)).toBe(4);
    // eval_steps unset: every logging_steps steps.
    expect(evaluationCount({ eval_strategy: 'steps', logging_steps }, 30, 10)).toBe(6);
  });

  it('a run of 41 examples in batches of 8 (6 steps an epoch), with an evaluation of 12 each epoch', () => {
    const timing = { secondsPerMicroBatch: 0.8, batchSize: 8, evalExamples: 12 };
    const args = {
      per_device_train_batch_size: 8,
      gradient_accumulation_steps: 1,
      eval_strategy: 'epoch' as const,
      logging_steps: 1,
    };
    // Per epoch: 6 micro-batches of 0.8 s, and 12 examples forward at 0.1 s × a third each.
    const epoch = 6 * 0.8 + 12 * 0.1 * FORWARD_SHARE;
    expect(runSecondsEstimate(timing, 41, { ...args, num_train_epochs: 1 })).toBeCloseTo(epoch, 12);
    expect(runSecondsEstimate(timing, 41, { ...args, num_train_epochs: 2 })).toBeCloseTo(2 * epoch, 12);
    // Accumulating 4: ceil(6 / 4) = 2 steps of 4 micro-batches (the partial last step counted whole).
    expect(
      runSecondsEstimate(timing, 41, { ...args, num_train_epochs: 1, gradient_accumulation_steps: 4 }),
    ).toBeCloseTo(2 * 4 * 0.8 + 12 * 0.1 * FORWARD_SHARE, 12);
  });
});

describe('measureMicroBatchSeconds', () => {
  it('times a positive pace and leaves the weights and tf.memory().numTensors as they were', async () => {
    const model = createToyClassifier({ dropout: 0.1 });
    const examples = toyDataset(20, 3);
    const weights = async () =>
      Object.fromEntries(
        await Promise.all([...model.variables].map(async ([k, v]) => [k, Array.from(await v.data())])),
      );
    const before = await weights();
    const tensors = tf.memory().numTensors;
    for (const mode of ['full', 'head'] as const) {
      const args = resolveTrainingArguments({ per_device_train_batch_size: 8, mode });
      const seconds = await measureMicroBatchSeconds(sequenceClassificationTask, model, examples, args, {
        passes: 2,
      });
      expect(Number.isFinite(seconds) && seconds > 0).toBe(true);
      expect(tf.memory().numTensors).toBe(tensors);
    }
    expect(await weights()).toEqual(before);
    await expect(
      measureMicroBatchSeconds(sequenceClassificationTask, model, examples, resolveTrainingArguments({}), {
        passes: 0,
      }),
    ).rejects.toThrow(/passes/);
    // Abandoned after its first pass (a run is starting): it stops there with the reason, and frees its tensors.
    let asked = 0;
    await expect(
      measureMicroBatchSeconds(sequenceClassificationTask, model, examples, resolveTrainingArguments({}), {
        passes: 3,
        abandoned: () => (++asked > 1 ? 'a run is starting' : undefined),
      }),
    ).rejects.toThrow('a run is starting');
    expect(asked).toBe(2);
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });
});
