// The results panels' data shaping: evaluation details from probabilities, the weakest classes, the confusion
// layout, the predictions CSV (read back by an independent CSV parser), and the runs overlay.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  confusionLayout,
  csvField,
  evaluationDetails,
  predictionsCsv,
  predictsOneClass,
  topConfusions,
  weakestClasses,
  weakestSentence,
  worstClassIndices,
} from '../../src/worker/results-shape';
import type { ClassRow } from '../../src/worker/results-types';
import { loggedMetrics, overlaySeries, settingsSideBySide } from '../../src/ui/run-history/overlay';
import { runsSource } from '../../src/ui/run-history/stored-runs';

const row = (label: string, f1: number, support: number): ClassRow => ({
  label,
  precision: f1,
  recall: f1,
  f1,
  support,
});

describe('evaluation details', () => {
  // Six examples over three classes, worked out by hand: predictions a, b, b, c, a, c for truths a, a, b, b, c, c.
  const labels = ['a', 'b', 'c'];
  const truth = [0, 0, 1, 1, 2, 2];
  const probs = [
    [0.7, 0.2, 0.1],
    [0.3, 0.6, 0.1],
    [0.1, 0.8, 0.1],
    [0.2, 0.3, 0.5],
    [0.9, 0.05, 0.05],
    [0.1, 0.1, 0.8],
  ];
  const examples = truth.map((label, i) => ({ text: `text ${i}`, label }));
  const details = evaluationDetails(labels, examples, probs, 'the validation split');

  it('counts the confusion matrix with rows as truths and columns as predictions', () => {
    expect(details.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(details.accuracy).toBeCloseTo(3 / 6, 12);
  });

  it('computes per-class precision, recall, F1 and support, and the loss as mean negative log-likelihood', () => {
    // Every class: 1 true positive, 1 false positive, 1 false negative → P = R = F1 = 1/2; support 2.
    for (const r of details.perClass) {
      expect(r.precision).toBeCloseTo(0.5, 12);
      expect(r.recall).toBeCloseTo(0.5, 12);
      expect(r.f1).toBeCloseTo(0.5, 12);
      expect(r.support).toBe(2);
    }
    const nll =
      -(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.3) + Math.log(0.05) + Math.log(0.8)) / 6;
    expect(details.loss).toBeCloseTo(nll, 12);
  });

  it('lists the mistakes, most confident first, with their texts and labels', () => {
    expect(details.misclassified.map((m) => [m.text, m.trueLabel, m.predictedLabel, m.confidence])).toEqual([
      ['text 4', 'c', 'a', 0.9],
      ['text 1', 'a', 'b', 0.6],
      ['text 3', 'b', 'c', 0.5],
    ]);
  });

  it('refuses probabilities that do not match the examples', () => {
    expect(() => evaluationDetails(labels, examples, probs.slice(1), 'x')).toThrow(/6 examples but 5 rows/);
    expect(() => evaluationDetails(labels, [], [], 'empty.csv')).toThrow(/empty.csv has no examples/);
  });
});

describe('weakest classes', () => {
  it('names the classes below the macro F1, lowest first, leaving out classes absent from validation', () => {
    const rows = [
      row('sports', 0.9, 50),
      row('world', 0.4, 30),
      row('tech', 0.4, 60),
      row('ghost', 0, 0),
      row('biz', 0.8, 40),
    ];
    expect(weakestClasses(rows).map((r) => r.label)).toEqual(['tech', 'world']);
    expect(weakestSentence(rows)).toBe(
      'The weakest classes are tech (F1 0.40, 60 examples) and world (F1 0.40, 30 examples).',
    );
  });

  it('keeps at most the asked number, and says so when no class stands out', () => {
    const many = Array.from({ length: 80 }, (_, i) => row(`c${i}`, i / 80, 10));
    expect(weakestClasses(many, 3).map((r) => r.label)).toEqual(['c0', 'c1', 'c2']);
    expect(weakestSentence([row('a', 0.5, 3), row('b', 0.5, 3)])).toMatch(/none stands out/);
    expect(weakestSentence([row('a', 0.5, 3), row('b', 0, 0)])).toMatch(/fewer than two classes/);
    expect(weakestSentence([row('a', 0.9, 3), row('b', 0.2, 1)])).toBe(
      'The weakest class is b (F1 0.20, 1 example).',
    );
  });
});

describe('reading a confusion matrix with many classes', () => {
  const labels = ['top_up_failed', 'top_up_reverted', 'card_lost', 'card_swallowed'];
  // Worked by hand: off the diagonal, failed → reverted 6, swallowed → lost 3, lost → swallowed 3, …
  const confusion = [
    [10, 6, 0, 1],
    [2, 12, 0, 0],
    [0, 0, 8, 3],
    [0, 1, 3, 5],
  ];

  it('lists the largest mistakes first, ties in label order', () => {
    expect(topConfusions(labels, confusion, 3)).toEqual([
      { trueLabel: 'top_up_failed', predictedLabel: 'top_up_reverted', count: 6, share: 6 / 17 },
      { trueLabel: 'card_lost', predictedLabel: 'card_swallowed', count: 3, share: 3 / 11 },
      { trueLabel: 'card_swallowed', predictedLabel: 'card_lost', count: 3, share: 3 / 9 },
    ]);
    expect(
      topConfusions(
        ['a', 'b'],
        [
          [3, 0],
          [0, 4],
        ],
      ),
    ).toEqual([]);
  });

  it('keeps the N lowest-F1 classes present in the data, in label order', () => {
    const rows = [row('a', 0.9, 5), row('b', 0.2, 5), row('c', 0.0, 0), row('d', 0.5, 5), row('e', 0.2, 9)];
    // c is absent (support 0); the two lowest are b and e (both 0.2), then d.
    expect(worstClassIndices(rows, 2)).toEqual([1, 4]);
    expect(worstClassIndices(rows, 3)).toEqual([1, 3, 4]);
  });

  it('says when (almost) every prediction is one class', () => {
    // 19 of 20 predictions are b (95 %).
    expect(
      predictsOneClass(
        ['a', 'b'],
        [
          [1, 9],
          [0, 10],
        ],
      ),
    ).toEqual({ label: 'b', share: 0.95 });
    // 17 of 20 (85 %) is below the 90 % line.
    expect(
      predictsOneClass(
        ['a', 'b'],
        [
          [3, 7],
          [0, 10],
        ],
      ),
    ).toBeUndefined();
    // One class in the data: predicting it is right, not a collapse.
    expect(
      predictsOneClass(
        ['a', 'b'],
        [
          [0, 0],
          [0, 10],
        ],
      ),
    ).toBeUndefined();
  });
});

describe('confusion layout', () => {
  it('labels every row and column and shades by the share of the true class', () => {
    const layout = confusionLayout(
      ['x', 'y'],
      [
        [3, 1],
        [0, 0],
      ],
    );
    expect(layout.labels).toEqual(['x', 'y']);
    expect(layout.rows.map((r) => r.label)).toEqual(['x', 'y']);
    expect(layout.rows[0]?.cells.map((c) => [c.count, c.share, c.correct])).toEqual([
      [3, 0.75, true],
      [1, 0.25, false],
    ]);
    expect(layout.rows[1]?.cells.map((c) => c.share)).toEqual([0, 0]);
    expect(() => confusionLayout(['x', 'y', 'z'], [[1]])).toThrow(/3×3/);
  });
});

describe('the predictions CSV', () => {
  it('quotes what needs quoting, so an independent parser reads every text back unchanged', () => {
    const texts = ['plain', 'with, comma', 'say "hi"', 'two\nlines', ' edge space', 'crlf\r\nhere', ''];
    const labels = ['neg', 'pos, maybe'];
    const probs = texts.map((_, i) => [i / 10, 1 - i / 10]);
    const parsed = Papa.parse<string[]>(predictionsCsv(labels, texts, undefined, probs), {
      skipEmptyLines: true,
    });
    expect(parsed.errors).toEqual([]);
    const [header, ...rows] = parsed.data;
    expect(header).toEqual(['text', 'predicted_label', 'probability', 'prob_neg', 'prob_pos, maybe']);
    expect(rows).toHaveLength(texts.length);
    rows.forEach((r, i) => {
      expect(r[0]).toBe(texts[i]);
      const p = probs[i] as number[];
      const best = (p[1] as number) > (p[0] as number) ? 1 : 0;
      expect(r[1]).toBe(labels[best]);
      expect(Number(r[2])).toBeCloseTo(p[best] as number, 6);
      expect(Number(r[3]) + Number(r[4])).toBeCloseTo(1, 6);
    });
  });

  it('has a second text column for pairs, and refuses mismatched rows', () => {
    const csv = predictionsCsv(['a', 'b'], ['q1'], ['answer, one'], [[0.25, 0.75]]);
    const parsed = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data;
    expect(parsed).toEqual([
      ['text', 'text_pair', 'predicted_label', 'probability', 'prob_a', 'prob_b'],
      ['q1', 'answer, one', 'b', '0.75', '0.25', '0.75'],
    ]);
    expect(() => predictionsCsv(['a'], ['x', 'y'], undefined, [[1]])).toThrow(/2 texts but 1 rows/);
    expect(csvField('=1+1')).toBe('=1+1');
  });
});

describe('the runs overlay', () => {
  const a = [
    { step: 10, loss: 1.2 },
    { step: 20, loss: 0.9, eval_f1: 0.5 },
  ];
  const b = [
    { step: 15, loss: 1.1 },
    { step: 20, loss: 0.8, eval_f1: 0.6 },
    { step: 30, eval_f1: 0.7 },
  ];
  it('aligns runs on the union of their steps, with null where a run logged nothing', () => {
    expect(overlaySeries([a, b], 'loss')).toEqual([
      [10, 15, 20],
      [1.2, null, 0.9],
      [null, 1.1, 0.8],
    ]);
    expect(overlaySeries([a, b], 'eval_f1')).toEqual([
      [20, 30],
      [0.5, null],
      [0.6, 0.7],
    ]);
    expect(loggedMetrics([a, b])).toEqual(['loss', 'eval_f1']);
  });

  it('puts settings side by side and marks the ones that differ', () => {
    const run = (id: string, settings: Record<string, number>) => ({
      id,
      name: id,
      createdAt: 0,
      status: 'finished',
      model: 'm',
      dataset: 'd',
      settings,
    });
    expect(
      settingsSideBySide([run('r1', { learning_rate: 1e-4, seed: 1 }), run('r2', { learning_rate: 1e-4 })]),
    ).toEqual([
      { name: 'learning_rate', values: ['0.0001', '0.0001'], differs: false },
      { name: 'seed', values: ['1', '—'], differs: true },
    ]);
  });
});

describe('stored runs for the Runs panel', () => {
  it('keeps scalar settings and the latest evaluation, and passes calls through to the store', async () => {
    const calls: string[] = [];
    const stored = {
      id: 'r1',
      name: 'first',
      createdAt: 5,
      status: 'failed',
      error: 'NaN loss at step 3',
      modelName: 'prajjwal1/bert-tiny',
      datasetName: 'sst2.csv',
      args: { learning_rate: 1e-4, report_to: ['none'], seed: 42, fp16: false },
      backend: 'wasm',
      latestEval: { step: 3, eval_f1: 0.5 },
    };
    const source = runsSource({
      list: async () => [stored],
      logs: async (id) => (calls.push(`logs ${id}`), [{ step: 1, loss: 2 }]),
      rename: async (id, name) => calls.push(`rename ${id} ${name}`),
      remove: async (id) => void calls.push(`remove ${id}`),
    });
    const [summary] = await source.list();
    expect(summary).toEqual({
      id: 'r1',
      name: 'first',
      createdAt: 5,
      status: 'failed: NaN loss at step 3',
      model: 'prajjwal1/bert-tiny',
      dataset: 'sst2.csv',
      // Compare shows every setting, the model and the dataset among them.
      settings: {
        learning_rate: 1e-4,
        seed: 42,
        fp16: false,
        backend: 'wasm',
        model: 'prajjwal1/bert-tiny',
        dataset: 'sst2.csv',
      },
      final: { step: 3, eval_f1: 0.5 },
    });
    expect(await source.history('r1')).toEqual([{ step: 1, loss: 2 }]);
    await source.rename('r1', 'better');
    await source.remove('r1');
    expect(calls).toEqual(['logs r1', 'rename r1 better', 'remove r1']);
  });
});
