// What the training session hands to results-state for the export: the dataset summary from a real prepared
// dataset (cleaning issues included), the hyper-parameters, and the final evaluation from the metrics.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareTrainingData } from '../../src/cli/prepare-data';
import { buildExportFiles } from '../../src/core/export/bundle';
import { DEFAULT_CLEANING, DEFAULT_SPLIT, prepareDataset } from '../../src/core/data/prepare';
import { classificationMetrics } from '../../src/core/metrics/classification';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../src/core/train/arguments';
import { assembleExportInputs } from '../../src/worker/results-export-inputs';
import { exportedWeightsPoint, finalEvaluation } from '../../src/core/export/final-evaluation';
import { datasetSummary } from '../../src/core/export/dataset-summary';
import { hyperparameters } from '../../src/worker/results-training-record';
import { readFixtureModel } from '../support/export-inputs';

describe('the training record for results', () => {
  // 40 rows: 24 "pos", 16 "neg"; 2 exact duplicates and one empty text, which the default cleaning drops.
  const rows = [
    ...Array.from({ length: 24 }, (_, i) => [`good film number ${i}`, 'pos']),
    ...Array.from({ length: 13 }, (_, i) => [`bad film number ${i}`, 'neg']),
    ['bad film number 0', 'neg'],
    ['bad film number 1', 'neg'],
    ['', 'neg'],
  ];
  const prepared = prepareDataset([{ file: 'films.csv', role: 'train', columns: ['text', 'label'], rows }], {
    mapping: { text: 'text', label: 'label' },
    cleaning: DEFAULT_CLEANING,
    split: { validationShare: 0.25, seed: 7 },
  });
  const summary = datasetSummary({
    fileName: 'films.csv',
    textColumns: ['text'],
    labelColumn: 'label',
    labels: prepared.labels,
    report: prepared.report,
    trainRows: prepared.train.length,
    validationRows: prepared.validation.length,
    split: { kind: 'stratified', validationFraction: 0.25, seed: 7 },
  });

  it('counts rows per label and split as the prepared dataset holds them', () => {
    expect(summary.rowsRead).toBe(40);
    expect(summary.trainRows + summary.validationRows).toBe(37);
    for (const { label, train, validation } of summary.labelCounts) {
      const index = prepared.labels.indexOf(label);
      expect(train).toBe(prepared.train.filter((e) => e.label === index).length);
      expect(validation).toBe(prepared.validation.filter((e) => e.label === index).length);
    }
    expect(summary.issues).toEqual(
      expect.arrayContaining([
        { kind: 'duplicates', rows: 2, action: 'dropped' },
        { kind: 'empty-texts', rows: 1, action: 'dropped' },
      ]),
    );
  });

  it('assembles an export whose card and training arguments carry these figures', () => {
    const labels = prepared.labels;
    const truth = prepared.validation.map((e) => e.label);
    const predicted = truth.map((t, i) => (i === 0 ? 1 - t : t));
    const metrics = classificationMetrics(truth, predicted, labels.length);
    const final = finalEvaluation(labels, metrics, { step: 12, epoch: 3, eval_loss: 0.5 });
    expect(final.perClass.map((c) => c.support)).toEqual(
      labels.map((_, c) => truth.filter((t) => t === c).length),
    );
    const hp = hyperparameters({ ...DEFAULT_TRAINING_ARGUMENTS }, 64);
    expect(hp).toMatchObject({ learning_rate: DEFAULT_TRAINING_ARGUMENTS.learning_rate, max_seq_length: 64 });
    expect(Object.values(hp).every((v) => v === null || typeof v !== 'object')).toBe(true);

    const model = readFixtureModel('webtune/tiny-random-bert-cls');
    // The fixture's head has three outputs; a two-label run would have its own head, so take a slice of rows.
    const weights = new Map(model.weights);
    const slice = (name: string, rowsOut: number) => {
      const t = model.weights.get(name)!;
      const width = t.shape.length === 2 ? (t.shape[1] as number) : 1;
      weights.set(name, {
        shape: t.shape.length === 2 ? [rowsOut, width] : [rowsOut],
        data: t.data.slice(0, rowsOut * width),
      });
    };
    slice('classifier.weight', 2);
    slice('classifier.bias', 2);
    const text = (name: string) => new TextDecoder().decode(model.files.get(name));
    const inputs = assembleExportInputs({
      modelName: 'films-classifier',
      base: {
        name: 'webtune/tiny-random-bert-cls',
        architecture: 'bert',
        config: model.config,
        tokenizerFiles: {
          'tokenizer.json': text('tokenizer.json'),
          'tokenizer_config.json': text('tokenizer_config.json'),
        },
      },
      labels,
      weights,
      training: {
        dataset: summary,
        hyperparameters: hp,
        logHistory: [{ step: 12, epoch: 3, eval_loss: 0.5, eval_accuracy: metrics.accuracy }],
        finalEvaluation: final,
        run: { backend: 'wasm', webtuneVersion: '0.0.0' },
      },
      backend: 'wasm',
    });
    const files = buildExportFiles(inputs);
    const card = new TextDecoder().decode(files.get('README.md'));
    expect(card).toContain('films.csv');
    // The report's kinds come out as the card's phrases, not raw.
    expect(card).toContain('2 exact duplicate rows (dropped)');
    expect(card).not.toMatch(/\bduplicates\b/);
    const args = JSON.parse(new TextDecoder().decode(files.get('training_args.json'))) as Record<
      string,
      unknown
    >;
    expect(args.max_seq_length).toBe(64);
  });
});

describe("the CLI's data summary", () => {
  it('is the app summary of the same file: imbalance with its ratio, and how many rows each issue dropped', async () => {
    // 66 "pos" and 6 "neg": an 11:1 imbalance (past the default 10:1, so the app's card reports it; the CLI's
    // once left it out), and 1 duplicate.
    const lines = [
      ...Array.from({ length: 66 }, (_, i) => `good film number ${i},pos`),
      ...Array.from({ length: 6 }, (_, i) => `bad film number ${i},neg`),
      'bad film number 0,neg',
    ];
    const dir = mkdtempSync(join(tmpdir(), 'webtune-cli-summary-'));
    const file = join(dir, 'films.csv');
    writeFileSync(file, `text,label\n${lines.join('\n')}\n`);
    const { prepared, summary } = await prepareTrainingData(file, undefined, {});
    expect(summary).toEqual(
      datasetSummary({
        fileName: 'films.csv',
        textColumns: ['text'],
        labelColumn: 'label',
        labels: prepared.labels,
        report: prepared.report,
        trainRows: prepared.train.length,
        validationRows: prepared.validation.length,
        split: {
          kind: 'stratified',
          validationFraction: DEFAULT_SPLIT.validationShare,
          seed: DEFAULT_SPLIT.seed,
        },
      }),
    );
    expect(summary.issues).toContainEqual(
      expect.objectContaining({ kind: 'imbalance', detail: 'largest / smallest class: 11.0' }),
    );
    expect(summary.issues).toContainEqual({ kind: 'duplicates', rows: 1, action: 'dropped' });
  });
});

describe('the point the exported weights come from', () => {
  const history = [
    { step: 4, epoch: 0.33, loss: 0.7 },
    { step: 4, epoch: 0.33, eval_loss: 0.87 },
    { step: 8, epoch: 0.67, eval_loss: 1.93 },
    { step: 12, epoch: 1, eval_loss: 1.35 },
    { step: 12, epoch: 1, train_runtime: 3 },
  ];
  it('is the best evaluation when load_best_model_at_end restored it, else the end of the run', () => {
    expect(exportedWeightsPoint(history, true, 4)).toEqual({ step: 4, epoch: 0.33 });
    expect(exportedWeightsPoint(history, false, 4)).toEqual({ step: 12, epoch: 1 });
    expect(exportedWeightsPoint(history, true, undefined)).toEqual({ step: 12, epoch: 1 });
    // A training record at the best step is not an evaluation: the evaluation's own record is used.
    expect(exportedWeightsPoint(history.slice(0, 1), true, 4)).toEqual({ step: 4, epoch: 0.33 });
    expect(exportedWeightsPoint([], true, 4)).toEqual({ step: 0, epoch: 0 });
  });
});
