// A batch too big for memory runs as micro-batches with gradient accumulation: the plan (how many, how big), the
// refusal when one example cannot fit, and the update, which must equal the whole batch's.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig } from '../../src/core/models/types';
import { createRng } from '../../src/core/random';
import type { TokenizedExample } from '../../src/core/train/batching';
import { crossEntropy } from '../../src/core/train/loss';
import {
  measureStepCost,
  planMicroBatches,
  splitBatch,
  STEP_MEMORY_HEADROOM,
} from '../../src/core/train/micro-batches';
import { train, type LogRecord } from '../../src/core/train/trainer';
import { snapshotWeights } from '../../src/core/train/weights';
import { randomBertWeights } from '../support/random-bert';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('planMicroBatches', () => {
  const cost = { perExample: 100, fixed: 50 };
  it('keeps a batch that fits whole', () => {
    expect(planMicroBatches(32, cost, 50 + 3200)).toMatchObject({ chunks: 1, microBatchSize: 32 });
  });
  it('splits into as few balanced micro-batches as fit', () => {
    expect(planMicroBatches(32, cost, 50 + 800)).toMatchObject({ chunks: 4, microBatchSize: 8 });
    // 11 fit: three micro-batches, of 11, 11 and 10.
    expect(planMicroBatches(32, cost, 50 + 1100)).toMatchObject({ chunks: 3, microBatchSize: 11 });
    expect(splitBatch([...Array(32).keys()], 11).map((p) => p.length)).toEqual([11, 11, 10]);
  });
  it('refuses, with the figures, when one example does not fit', () => {
    expect(() => planMicroBatches(32, { perExample: 300 * 2 ** 20, fixed: 0 }, 200 * 2 ** 20)).toThrow(
      /One training example needs 300 MB .* more than the 200 MB/,
    );
  });
});

const CONFIG: HFConfig = {
  model_type: 'bert',
  vocab_size: 500,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  max_position_embeddings: 64,
  type_vocab_size: 2,
  hidden_act: 'gelu',
  // No dropout: micro-batches draw other masks than the whole batch, which is the same update only in law.
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
} as HFConfig;

function examples(count: number, seed: number): TokenizedExample[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const length = 4 + rng.nextInt(20); // lengths differ: each micro-batch pads to its own longest row
    const inputIds = Array.from({ length }, () => 5 + rng.nextInt(490));
    return { inputIds, attentionMask: inputIds.map(() => 1), label: rng.nextInt(2) };
  });
}

describe('micro-batched training', () => {
  it('gives the whole batch update: the same losses, gradient norms and weights', async () => {
    const data = { train: examples(16, 3) };
    const args = {
      per_device_train_batch_size: 8,
      num_train_epochs: 2,
      learning_rate: 1e-3,
      logging_steps: 1,
      seed: 7,
    };
    const build = () => buildClassifier(CONFIG, randomBertWeights(CONFIG, 1), { numLabels: 2, seed: 1 });

    const wholeModel = build();
    const wholeLogs: LogRecord[] = [];
    const wholeNotices: string[] = [];
    await train(wholeModel, data, args, {
      onLog: (r) => wholeLogs.push(r),
      onNotice: (m) => wholeNotices.push(m),
    });

    // A budget that fits three examples of the longest row, from the same measurement the trainer makes.
    const splitModel = build();
    const trainable = [...splitModel.variables.values()].filter((v) => v.trainable);
    const longest = data.train.reduce(
      (a, ex, i) => (ex.inputIds.length > data.train[a]!.inputIds.length ? i : a),
      0,
    );
    const cost = await measureStepCost((n) =>
      tf.tidy(() => {
        const row = data.train[longest]!;
        const ids = tf.tensor2d(
          [...Array(n)].flatMap(() => row.inputIds),
          [n, row.inputIds.length],
          'int32',
        );
        const mask = tf.onesLike(ids);
        const labels = tf.zeros([n], 'int32') as tf.Tensor1D;
        tf.variableGrads(
          () =>
            crossEntropy(
              splitModel.forward(
                { inputIds: ids as tf.Tensor2D, attentionMask: mask as tf.Tensor2D },
                {
                  training: true,
                  dropoutSeed: 0,
                },
              ),
              labels,
            ),
          trainable,
        );
      }),
    );
    // What is live when the trainer plans: the weights and AdamW's two moments of each trainable weight.
    const moments = 2 * trainable.reduce((a, v) => a + v.size * 4, 0);
    const budget =
      (tf.memory().numBytes + moments + cost.fixed + 3.5 * cost.perExample) / STEP_MEMORY_HEADROOM;
    const splitLogs: LogRecord[] = [];
    const splitNotices: string[] = [];
    await train(splitModel, data, args, {
      memoryBudgetBytes: budget,
      onLog: (r) => splitLogs.push(r),
      onNotice: (m) => splitNotices.push(m),
    });

    expect(wholeNotices).toEqual([]);
    expect(splitNotices).toHaveLength(1);
    expect(splitNotices[0]).toMatch(/runs as 3 micro-batches of up to 3 with gradient accumulation/);
    const steps = (logs: LogRecord[]) => logs.filter((r) => 'loss' in r);
    expect(steps(splitLogs)).toHaveLength(4);
    steps(wholeLogs).forEach((w, i) => {
      const s = steps(splitLogs)[i]!;
      expect(Math.abs(s.loss! - w.loss!)).toBeLessThan(1e-5 * Math.abs(w.loss!));
      expect(Math.abs(s.grad_norm! - w.grad_norm!)).toBeLessThan(1e-4 * Math.abs(w.grad_norm!));
    });
    const a = await snapshotWeights(wholeModel);
    const b = await snapshotWeights(splitModel);
    let worst = 0;
    for (const [name, t] of a) {
      const u = b.get(name)!.data;
      t.data.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - u[i]!))));
    }
    expect(worst).toBeLessThan(1e-5);
    wholeModel.dispose();
    splitModel.dispose();
  });
});
