// The one batched inference loop (core/train/predict.ts) that evaluation, `npm run predict` and the app's
// Playground share: unpadded rows in, each batch padded to its own longest row, logits out in input order.
// Checked against the PyTorch logits in ../shared/models/*/reference.json, whose rows PyTorch ran padded to
// one common length; every batch size must give them.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { softmax } from '../../src/core/metrics/probabilities';
import { buildClassifier } from '../../src/core/models/build';
import type { TokenizedInputs } from '../../src/core/train/batching';
import { predictLogits } from '../../src/core/train/predict';
import { loadFixture, maxAbsDiff } from './models-fixtures';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe.each([
  'webtune/tiny-random-bert-cls',
  'webtune/tiny-random-distilbert-cls',
  'webtune/tiny-random-roberta-cls',
])('predictLogits on %s', (id) => {
  it('gives the reference logits at batch sizes 1, 2 and all rows', async () => {
    const { config, weights, reference } = loadFixture(id);
    const logits = reference.logits!;
    // The reference's rows without their padding: the loop must pad them again itself.
    const rows: TokenizedInputs[] = reference.input_ids.map((ids, r) => {
      const n = reference.attention_mask[r]!.reduce((a, b) => a + b, 0);
      const row: TokenizedInputs = { inputIds: ids.slice(0, n) };
      if (reference.token_type_ids) row.tokenTypeIds = reference.token_type_ids[r]!.slice(0, n);
      return row;
    });
    expect(rows.some((row) => row.inputIds.length < reference.input_ids[0]!.length)).toBe(true);
    const model = buildClassifier(config, weights, { numLabels: logits[0]!.length, seed: 0 });
    try {
      expect(model.loadReport?.initialized).toEqual([]);
      for (const batchSize of [1, 2, rows.length]) {
        const ours = await predictLogits(model, rows, batchSize);
        expect(ours).toHaveLength(rows.length);
        expect(maxAbsDiff(ours.flat(), logits.flat())).toBeLessThan(1e-4);
      }
    } finally {
      model.dispose();
    }
  });
});

describe('softmax on read-back logits', () => {
  it('sums to one, keeps the order, and does not overflow on large logits', () => {
    const p = softmax([1000, 999, -1000]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(p[2]).toBe(0);
    expect(softmax([0, 0])).toEqual([0.5, 0.5]);
  });
});
