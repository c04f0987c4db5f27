// Column guesses, the cleaning report's counts and the stratified split, on small tables whose answers are
// worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { guessMapping } from '../../src/core/data/guess';
import {
  DEFAULT_CLEANING,
  DEFAULT_SPLIT,
  prepareDataset,
  sortLabels,
  type PartRows,
} from '../../src/core/data/prepare';
import { assignRoles, datasetName, roleFromFileName } from '../../src/core/data/roles';
import { stratifiedSplit } from '../../src/core/data/split';

describe('column mapping guesses', () => {
  it('finds text and label columns by name', () => {
    expect(guessMapping(['id', 'review', 'sentiment'], [])).toEqual({
      text: 'review',
      text2: undefined,
      label: 'sentiment',
    });
    expect(guessMapping(['Content', 'Category'], [])).toEqual({
      text: 'Content',
      text2: undefined,
      label: 'Category',
    });
  });

  it('finds sentence pairs', () => {
    expect(guessMapping(['idx', 'premise', 'hypothesis', 'label'], [])).toEqual({
      text: 'premise',
      text2: 'hypothesis',
      label: 'label',
    });
    expect(guessMapping(['sentence1', 'sentence2', 'target'], [])).toEqual({
      text: 'sentence1',
      text2: 'sentence2',
      label: 'target',
    });
    expect(guessMapping(['question', 'answer', 'class'], [])?.text2).toBe('answer');
  });

  it('falls back to content: the longest texts, and the column with few distinct values', () => {
    const rows = [
      ['1', 'a long sentence about markets', 'x1'],
      ['2', 'another long sentence about sport', 'x2'],
      ['1', 'and a third rather long one', 'x3'],
      ['2', 'the fourth long text here', 'x4'],
    ];
    expect(guessMapping(['c1', 'c2', 'c3'], rows)).toEqual({ text: 'c2', text2: undefined, label: 'c1' });
  });
});

describe('cleaning report', () => {
  const part = (rows: string[][], role: PartRows['role'] = 'train', file = 'd.csv'): PartRows => ({
    file,
    role,
    columns: ['text', 'label'],
    rows,
  });
  const config = (cleaning = {}) => ({
    mapping: { text: 'text', label: 'label' },
    cleaning: { ...DEFAULT_CLEANING, ...cleaning },
    split: DEFAULT_SPLIT,
  });
  const rows = [
    ['good', 'pos'], // 1
    ['good', 'pos'], // 2 duplicate of 1
    ['good', 'pos'], // 3 duplicate of 1
    ['meh', 'pos'], // 4 conflict with 5
    ['meh', 'neg'], // 5 conflict with 4
    ['', 'neg'], // 6 empty text
    ['bad', 'neg'], // 7
    ['x'.repeat(30), 'neg'], // 8 long (limit 20 below)
    ['odd', 'rare'], // 9 rare class
  ];

  it('counts each issue, with examples, and drops only what the options say', () => {
    const { report } = prepareDataset([part(rows)], config({ longTextChars: 20, rareClassMin: 2 }));
    const byKind = Object.fromEntries(report.issues.map((i) => [i.kind, i]));
    expect(byKind['duplicates']).toMatchObject({ count: 2, dropped: 2 });
    expect(byKind['duplicates']!.examples).toEqual(['d.csv row 2: good', 'd.csv row 3: good']);
    expect(byKind['conflicts']).toMatchObject({ count: 2, dropped: 2 });
    expect(byKind['empty-texts']).toMatchObject({ count: 1, dropped: 1, examples: ['d.csv row 6: (empty)'] });
    expect(byKind['long-texts']).toMatchObject({ count: 1, dropped: 0 });
    // After dropping 5 rows: pos {1}, neg {7, 8}, rare {9}: pos and rare have 1 < 2.
    expect(byKind['rare-classes']).toMatchObject({ count: 2, dropped: 0 });
    expect(byKind['imbalance']!.ratio).toBe(2); // neg 2 / pos 1 (rare 1)
    expect(report).toMatchObject({ total: 9, dropped: 5, kept: 4 });
    expect(report.labels).toEqual(['neg', 'pos', 'rare']);
  });

  it('keeps what the person chose to keep, and drops rare classes when asked', () => {
    const kept = prepareDataset(
      [part(rows)],
      config({ dropDuplicates: false, dropConflicts: false, dropEmptyTexts: false }),
    );
    expect(kept.report.dropped).toBe(0);
    const rare = prepareDataset([part(rows)], config({ dropRareClasses: true, rareClassMin: 2 }));
    expect(rare.labels).toEqual(['neg']);
    expect(rare.report.dropped).toBe(7);
    expect(rare.report.problems.map((p) => p.code)).toEqual(['one-class']);
  });

  it('caps imbalance at the chosen ratio, counting the rows it removes', () => {
    const big = [
      ...Array.from({ length: 50 }, (_v, i) => [`p${i}`, 'pos']),
      ...Array.from({ length: 4 }, (_v, i) => [`n${i}`, 'neg']),
    ];
    const { report } = prepareDataset([part(big)], config({ capImbalance: true, maxImbalance: 3 }));
    expect(report.issues.find((i) => i.kind === 'imbalance')).toMatchObject({ ratio: 12.5, dropped: 38 });
    expect(report.kept).toBe(16);
  });

  it('uses a validation file instead of splitting, and keeps a test file apart', () => {
    const prepared = prepareDataset(
      [
        part([
          ['a', 'x'],
          ['b', 'y'],
          ['c', 'x'],
        ]),
        part(
          [
            ['d', 'y'],
            ['e', 'x'],
          ],
          'validation',
          'dev.csv',
        ),
        part([['f', 'x']], 'test', 'test.csv'),
      ],
      config(),
    );
    expect(prepared.report.validationFrom).toBe('file');
    expect(prepared.train.map((e) => e.text)).toEqual(['a', 'b', 'c']);
    expect(prepared.validation).toEqual([
      { text: 'd', label: 1 },
      { text: 'e', label: 0 },
    ]);
    expect(prepared.test).toEqual([{ text: 'f', label: 0 }]);
    expect(prepared.report.classCounts).toEqual({ train: [2, 1], validation: [1, 1], test: [1, 0] });
  });

  it('carries the second text of a pair and reports a missing column', () => {
    const pair: PartRows = {
      file: 'p.csv',
      role: 'train',
      columns: ['s1', 's2', 'y'],
      rows: [
        ['a', 'b', '1'],
        ['c', 'd', '0'],
      ],
    };
    const prepared = prepareDataset([pair], {
      ...config(),
      mapping: { text: 's1', text2: 's2', label: 'y' },
      split: { validationShare: 0, seed: 1 },
    });
    expect(prepared.train).toEqual([
      { text: 'a', text2: 'b', label: 1 },
      { text: 'c', text2: 'd', label: 0 },
    ]);
    const missing = prepareDataset([pair], { ...config(), mapping: { text: 's1', label: 'label' } });
    expect(missing.report.problems[0]).toMatchObject({ code: 'missing-column' });
  });

  it('merges label spellings that differ by case or spaces before it looks for conflicts', () => {
    const spelled = [
      ['great', 'positive'],
      ['fine', 'positive'],
      ['nice', 'POSITIVE'],
      ['great', 'Positive '], // the same text as row 1: a duplicate once merged, not a conflict
      ['awful', 'negative'],
      ['dull', ' Negative'],
    ];
    const merged = prepareDataset([part(spelled)], config());
    expect(merged.labels).toEqual(['negative', 'positive']);
    const spellings = merged.report.issues.find((i) => i.kind === 'label-spellings')!;
    // positive: 2 rows spelled so, POSITIVE 1, "Positive " 1; negative: a tie, the lower-case spelling wins.
    expect(spellings.spellings).toEqual([
      {
        label: 'negative',
        variants: [
          { spelling: ' Negative', rows: 1 },
          { spelling: 'negative', rows: 1 },
        ],
      },
      {
        label: 'positive',
        variants: [
          { spelling: 'positive', rows: 2 },
          { spelling: 'POSITIVE', rows: 1 },
          { spelling: 'Positive ', rows: 1 },
        ],
      },
    ]);
    expect(spellings).toMatchObject({ count: 3, dropped: 0 });
    const kinds = merged.report.issues.map((i) => i.kind);
    expect(kinds.slice(0, 2)).toEqual(['label-spellings', 'duplicates']);
    expect(kinds).not.toContain('conflicts');
    expect(merged.report).toMatchObject({ total: 6, kept: 5, dropped: 1 });

    // Off: the case variants stay classes of their own (spaces are always trimmed); rows 1 and 4 conflict.
    const apart = prepareDataset([part(spelled)], config({ mergeLabelSpellings: false }));
    expect(apart.labels).toEqual(['Negative', 'POSITIVE', 'negative', 'positive']);
    expect(apart.report.issues.find((i) => i.kind === 'conflicts')).toMatchObject({ count: 2, dropped: 2 });
  });

  it('counts a row under one issue at most, so the counts add up to the split', () => {
    const messy = [
      ['same', ''], // empty label: dropped as such, so it no longer conflicts with row 2
      ['same', 'a'],
      ['', ''], // empty text (and label): counted once, as an empty text
      ['x', 'a'],
      ['x', 'b'], // conflicts with row 4
      ['y', 'b'],
      ['z', 'b'],
      ['w', 'a'],
    ];
    const { report, train, validation } = prepareDataset([part(messy)], config());
    const byKind = Object.fromEntries(report.issues.map((i) => [i.kind, i]));
    expect(byKind['empty-labels']).toMatchObject({ count: 1, dropped: 1 });
    expect(byKind['empty-texts']).toMatchObject({ count: 1, dropped: 1 });
    expect(byKind['conflicts']).toMatchObject({ count: 2, dropped: 2 });
    expect(report.issues.reduce((n, i) => n + i.dropped, 0)).toBe(report.dropped);
    expect(report).toMatchObject({ total: 8, dropped: 4, kept: 4, unlabeled: 0 });
    expect(train.length + validation.length).toBe(report.kept);

    // The empty label kept in: now row 1 conflicts with row 2, and goes as a conflict (no row left unlabeled,
    // so nothing blocks).
    const blocked = prepareDataset([part(messy)], config({ dropEmptyLabels: false }));
    expect(blocked.report).toMatchObject({ total: 8, kept: 3, dropped: 5, unlabeled: 0, problems: [] });
    expect(blocked.train.length + blocked.validation.length).toBe(blocked.report.kept);
  });

  it('sorts numeric labels as numbers', () => {
    expect(sortLabels(['10', '2', '1'])).toEqual(['1', '2', '10']);
    expect(sortLabels(['b', 'a', 'B'])).toEqual(['B', 'a', 'b']);
  });
});

describe('stratified split', () => {
  const labels = [...Array(100).fill(0), ...Array(30).fill(1), ...Array(7).fill(2), 3];

  it('moves round(n × share) of each class to validation, at least one, never all', () => {
    const inVal = stratifiedSplit(labels, 0.1, 42);
    const count = (c: number, v: boolean) => labels.filter((l, i) => l === c && inVal[i] === v).length;
    expect([0, 1, 2, 3].map((c) => count(c, true))).toEqual([10, 3, 1, 0]);
    expect([0, 1, 2, 3].map((c) => count(c, false))).toEqual([90, 27, 6, 1]);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(stratifiedSplit(labels, 0.2, 7)).toEqual(stratifiedSplit(labels, 0.2, 7));
    expect(stratifiedSplit(labels, 0.2, 7)).not.toEqual(stratifiedSplit(labels, 0.2, 8));
  });

  it('gives a split of the whole dataset through prepareDataset, with class counts', () => {
    const rows = labels.map((l, i) => [`t${i}`, String(l)]);
    const { train, validation, report } = prepareDataset(
      [{ file: 'd.csv', role: 'train', columns: ['text', 'label'], rows }],
      {
        mapping: { text: 'text', label: 'label' },
        cleaning: DEFAULT_CLEANING,
        split: { validationShare: 0.1, seed: 3 },
      },
    );
    expect(train.length + validation.length).toBe(labels.length);
    expect(new Set([...train, ...validation].map((e) => e.text)).size).toBe(labels.length);
    expect(report.classCounts.validation).toEqual([10, 3, 1, 0]);
  });
});

describe('what the split says it did', () => {
  it('gives the share it reached and names the classes it cannot measure well', () => {
    // 100, 30, 7 and 1 rows at 10 %: 10, 3, 1 and 0 to validation (as above); 7 × 0.1 rounds to 1 anyway.
    const counts = [100, 30, 7, 1];
    const rows = counts.flatMap((n, c) => Array.from({ length: n }, (_v, i) => [`t${c}-${i}`, `c${c}`]));
    const { report } = prepareDataset([{ file: 'd.csv', role: 'train', columns: ['text', 'label'], rows }], {
      mapping: { text: 'text', label: 'label' },
      cleaning: DEFAULT_CLEANING,
      split: { validationShare: 0.1, seed: 3 },
    });
    expect(report.split).toEqual({
      requestedShare: 0.1,
      actualShare: 14 / 138,
      rows: 138,
      validationRows: 14,
      notValidated: ['c3'],
      oneValidationRow: ['c2'],
      roundedUp: [],
    });
    // Two rows per class at 10 %: each class gets one validation row that its share (0.2) does not reach.
    const pairs = ['a', 'b', 'c'].flatMap((l) => [
      [`${l}1`, l],
      [`${l}2`, l],
    ]);
    const small = prepareDataset(
      [{ file: 'p.csv', role: 'train', columns: ['text', 'label'], rows: pairs }],
      {
        mapping: { text: 'text', label: 'label' },
        cleaning: DEFAULT_CLEANING,
        split: { validationShare: 0.1, seed: 3 },
      },
    );
    expect(small.report.split).toMatchObject({ actualShare: 0.5, roundedUp: ['a', 'b', 'c'] });
  });
});

describe('file roles', () => {
  it('reads the role from the name', () => {
    expect(
      [
        'train.csv',
        'dev.tsv',
        'validation.parquet',
        'my_val.jsonl',
        'test.csv',
        'contest.csv',
        'devices.csv',
      ].map(roleFromFileName),
    ).toEqual(['train', 'validation', 'validation', 'validation', 'test', 'train', 'train']);
    expect(
      datasetName([
        { name: 'positive.txt', role: 'train' },
        { name: 'negative.txt', role: 'train' },
      ]),
    ).toBe('positive.txt + negative.txt');
    expect(
      datasetName([
        { name: 'train.csv', role: 'train' },
        { name: 'dev.csv', role: 'validation' },
      ]),
    ).toBe('train.csv');
  });

  it('always gives a dataset training rows', () => {
    expect(assignRoles(['train.csv', 'dev.csv', 'test.csv'])).toEqual(['train', 'validation', 'test']);
    expect(assignRoles(['dev.tsv'])).toEqual(['train']);
    expect(assignRoles(['validation.csv', 'test.csv'])).toEqual(['train', 'test']);
    expect(assignRoles(['test.csv'])).toEqual(['train']);
  });
});
