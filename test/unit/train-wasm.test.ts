// The loop on the wasm backend (the fast CPU path): learning, flat memory and an exact resume. The toy model's
// embedding gradient needs UnsortedSegmentSum, which wasm lacks (the engine registers it), so the embeddings
// stay frozen here.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { crossEntropy } from '../../src/core/train/loss';
import { train } from '../../src/core/train/trainer';
import { snapshotWeights } from '../../src/core/train/weights';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('trainer on wasm', () => {
  it('computes the smoothed cross-entropy (wasm kernels differ from cpu: its oneHot ignores dtype)', async () => {
    const logits = [
      [2, -1, 0.5],
      [-0.3, 0.8, 3.1],
    ];
    const labels = [0, 2];
    // In double precision: (1 − ε)·nll + ε·mean_k(−log p_k), averaged over rows.
    const expected =
      logits
        .map((row, i) => {
          const lse = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
          const nll = lse - row[labels[i]!]!;
          const smooth = row.reduce((a, x) => a + (lse - x), 0) / row.length;
          return 0.9 * nll + 0.1 * smooth;
        })
        .reduce((a, b) => a + b, 0) / logits.length;
    const x = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    const loss = crossEntropy(x, y, 0.1);
    expect((await loss.data())[0]).toBeCloseTo(expected, 6);
    tf.dispose([x, y, loss]);
  });

  it('trains, keeps tf.memory flat, and resumes to identical weights', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const data = { train: toyDataset(60, 41), eval: toyDataset(32, 42) };
    const args = {
      mode: 'frozen-embeddings' as const,
      learning_rate: 0.05,
      num_train_epochs: 3,
      per_device_train_batch_size: 6,
      eval_strategy: 'epoch' as const,
      logging_steps: 1,
    };
    const straight = createToyClassifier({ seed: 2 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const full = await train(straight, data, args, {
      onLog: (r) => void (!('train_runtime' in r) && counts.push(tf.memory().numTensors)),
    });
    expect(counts).toEqual(counts.map(() => counts[0]));
    expect(tf.memory().numTensors).toBe(before);
    const evals = full.logHistory.filter((r) => 'eval_loss' in r);
    expect(evals.at(-1)!.eval_loss).toBeLessThan(evals[0]!.eval_loss!);

    const first = createToyClassifier({ seed: 2 });
    const signal = { aborted: false };
    const part = await train(first, data, args, {
      signal,
      onLog: (r) => {
        if (r.step === 13) signal.aborted = true;
      },
    });
    const second = createToyClassifier({ seed: 77 });
    await train(second, data, args, { resumeFrom: part.checkpoint });
    const a = await snapshotWeights(straight);
    const b = await snapshotWeights(second);
    for (const [name, w] of a) expect(Array.from(b.get(name)!.data), name).toEqual(Array.from(w.data));
    for (const m of [straight, first, second]) m.dispose();
  });
});
