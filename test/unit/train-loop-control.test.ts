// The loop's controls on the tiny real classifier: training modes, gradient accumulation, divergence, early
// stopping, the best model at the end, and batching with dynamic padding.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/random';
import { epochBatches, padBatch } from '../../src/core/train/batching';
import { train, TrainingDivergedError, type TrainerCheckpoint } from '../../src/core/train/trainer';
import { snapshotWeights } from '../../src/core/train/weights';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const trainSet = toyDataset(48, 11);
const evalSet = toyDataset(32, 12);
const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('training modes', () => {
  it.each([
    ['head', ['classifier.weight', 'classifier.bias']],
    [
      'frozen-embeddings',
      [
        'pre_classifier.weight',
        'pre_classifier.bias',
        'pre_classifier.LayerNorm.weight',
        'classifier.weight',
        'classifier.bias',
      ],
    ],
  ] as const)('%s updates exactly its weights', async (mode, changed) => {
    const model = createToyClassifier();
    const before = await snapshotWeights(model);
    await train(
      model,
      { train: trainSet },
      { mode, eval_strategy: 'no', num_train_epochs: 1, learning_rate: 0.01 },
    );
    const after = await snapshotWeights(model);
    const moved = [...before.keys()].filter((n) => maxDiff(before.get(n)!.data, after.get(n)!.data) > 0);
    expect(moved.sort()).toEqual([...changed].sort());
    model.dispose();
  });
});

describe('gradient accumulation', () => {
  it('two micro-batches of 4 accumulated give the update of one batch of 8', async () => {
    // One epoch without dropout: the two runs draw a different number of dropout seeds from the stream, so
    // their dropout masks and later epochs' orders differ.
    const args = {
      eval_strategy: 'no' as const,
      num_train_epochs: 1,
      learning_rate: 0.02,
      weight_decay: 0.01,
    };
    const a = createToyClassifier({ dropout: 0 });
    const b = createToyClassifier({ dropout: 0 });
    const ra = await train(a, { train: trainSet }, { ...args, per_device_train_batch_size: 8 });
    const rb = await train(
      b,
      { train: trainSet },
      { ...args, per_device_train_batch_size: 4, gradient_accumulation_steps: 2 },
    );
    expect(rb.globalStep).toBe(ra.globalStep);
    const wa = await snapshotWeights(a);
    const wb = await snapshotWeights(b);
    for (const [name, w] of wa) expect(maxDiff(w.data, wb.get(name)!.data), name).toBeLessThan(1e-5);
    // And the accumulated run is not simply the unaccumulated one with batch 4.
    const c = createToyClassifier({ dropout: 0 });
    await train(c, { train: trainSet }, { ...args, per_device_train_batch_size: 4 });
    const wc = await snapshotWeights(c);
    expect(maxDiff(wc.get('classifier.weight')!.data, wa.get('classifier.weight')!.data)).toBeGreaterThan(
      1e-3,
    );
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('divergence', () => {
  it('stops on a non-finite loss with a clear error, keeping the last good weights', async () => {
    const model = createToyClassifier();
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      // An absurd learning rate overflows the weights after the first update.
      await train(
        model,
        { train: trainSet },
        { eval_strategy: 'no', learning_rate: 1e38, max_grad_norm: 0, logging_steps: 1 },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.message).toMatch(
      /^Training stopped at step (\d+) \(epoch 1\) because the (loss|gradient norm) is (NaN|-?Infinity); the weights are kept as they were after step \d+\. Try a lower learning rate\.$/,
    );
    const step = diverged.checkpoint.globalStep;
    expect(diverged.message).toContain(`at step ${step + 1} `);
    expect(step).toBeGreaterThanOrEqual(1);
    const weights = await snapshotWeights(model);
    for (const [name, w] of diverged.checkpoint.weights)
      expect(Array.from(weights.get(name)!.data)).toEqual(Array.from(w.data));
    expect(tf.memory().numTensors).toBe(before);
    // The checkpoint is the state just before the failing step: resuming from it fails at that same step.
    await expect(
      train(
        model,
        { train: trainSet },
        { eval_strategy: 'no', learning_rate: 1e38, max_grad_norm: 0, logging_steps: 1 },
        { resumeFrom: diverged.checkpoint },
      ),
    ).rejects.toThrow(diverged.message);
    model.dispose();
  });
});

describe('evaluation schedule, early stopping and the best model', () => {
  it('stops after `patience` evaluations that do not beat the best by more than the threshold', async () => {
    const model = createToyClassifier();
    const result = await train(
      model,
      { train: trainSet, eval: evalSet },
      {
        eval_strategy: 'steps',
        eval_steps: 2,
        num_train_epochs: 5,
        metric_for_best_model: 'accuracy',
        early_stopping_patience: 2,
        // No accuracy can rise by more than 1: every evaluation after the first counts against patience.
        early_stopping_threshold: 1,
      },
    );
    expect(result.status).toBe('early-stopped');
    const evals = result.logHistory.filter((r) => 'eval_accuracy' in r);
    expect(evals.map((r) => r.step)).toEqual([2, 4, 6]);
    expect(result.globalStep).toBe(6);
    model.dispose();
  });

  it('restores the best evaluation weights at the end with load_best_model_at_end', async () => {
    const model = createToyClassifier();
    const checkpoints: TrainerCheckpoint[] = [];
    const result = await train(
      model,
      { train: trainSet, eval: evalSet },
      {
        eval_strategy: 'steps',
        eval_steps: 3,
        num_train_epochs: 3,
        // A rate too high for this model: the loss is not monotone, so the best is not simply the last.
        learning_rate: 0.5,
        load_best_model_at_end: true,
      },
      { onCheckpoint: (c) => void checkpoints.push(c) },
    );
    const evals = result.logHistory.filter((r) => 'eval_loss' in r);
    const best = evals.reduce((a, b) => (b.eval_loss! < a.eval_loss! ? b : a));
    expect(result.bestStep).toBe(best.step);
    expect(result.bestMetric).toBe(best.eval_loss);
    const atBest = checkpoints.find((c) => c.globalStep === best.step)!;
    const weights = await snapshotWeights(model);
    for (const [name, w] of atBest.weights)
      expect(Array.from(weights.get(name)!.data), name).toEqual(Array.from(w.data));
    expect(best.step).not.toBe(result.globalStep);
    model.dispose();
  });
});

describe('batching', () => {
  it('covers every example once per epoch and pads each batch to its own longest row', () => {
    const examples = toyDataset(37, 3);
    for (const grouped of [false, true]) {
      const batches = epochBatches(examples, 8, createRng(1), grouped);
      expect(batches.map((b) => b.length).sort()).toEqual([5, 8, 8, 8, 8]);
      expect(batches.flat().sort((a, b) => a - b)).toEqual([...examples.keys()]);
    }
    const grouped = epochBatches(examples, 8, createRng(1), true);
    const lengths = (b: number[]) => b.map((i) => examples[i]!.inputIds.length);
    const padding = (bs: number[][]) => bs.reduce((s, b) => s + Math.max(...lengths(b)) * b.length, 0);
    expect(padding(grouped)).toBeLessThan(padding(epochBatches(examples, 8, createRng(1), false)));
    expect(Math.max(...lengths(grouped[0]!))).toBe(Math.max(...examples.map((e) => e.inputIds.length)));

    const batch = padBatch(
      [
        { inputIds: [5, 6, 7], tokenTypeIds: [0, 0, 1], label: 1 },
        { inputIds: [9], label: 0 },
      ],
      [0, 1],
      3,
    );
    expect(batch.inputs.inputIds.arraySync()).toEqual([
      [5, 6, 7],
      [9, 3, 3],
    ]);
    expect(batch.inputs.attentionMask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    expect(batch.inputs.tokenTypeIds!.arraySync()).toEqual([
      [0, 0, 1],
      [0, 0, 0],
    ]);
    expect(batch.labels.arraySync()).toEqual([1, 0]);
    tf.dispose([batch.inputs.inputIds, batch.inputs.attentionMask, batch.inputs.tokenTypeIds!, batch.labels]);
  });

  it('rejects labels outside the model and mismatched arguments, by name', async () => {
    const model = createToyClassifier();
    await expect(
      train(model, { train: [{ inputIds: [4], label: 2 }] }, { eval_strategy: 'no' }),
    ).rejects.toThrow('Training example 0 has label 2, not a class index in [0, 2)');
    await expect(train(model, { train: trainSet }, { eval_strategy: 'epoch' })).rejects.toThrow(
      'eval_strategy "epoch" needs an evaluation set',
    );
    await expect(
      train(model, { train: trainSet }, { eval_strategy: 'no', learning_rate: -1 }),
    ).rejects.toThrow('learning_rate must be > 0, got -1');
    model.dispose();
  });
});
