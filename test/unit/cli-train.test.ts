// `npm run train` end to end in a child process: a fixture model from a local Hub mirror (--hub), tiny
// generated data, wasm. Checks the --out folder's layout and metrics.json (transformers' log_history fields),
// then `npm run predict` on the result: one row per input, probabilities or logits.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runCli, writeSentimentCsv } from '../support/cli';
import { WORDPIECE_FOLDER_FILES } from '../support/export-layout';

let dir: string;
let mirror: HubMirror;
let out: string;
let env: Record<string, string>;
let trainResult: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-cli-'));
  mirror = await startHubMirror();
  env = { WEBTUNE_CACHE: join(dir, 'cache') };
  writeSentimentCsv(join(dir, 'train.csv'), 40, 1);
  writeSentimentCsv(join(dir, 'dev.csv'), 12, 2);
  out = join(dir, 'run');
  trainResult = await runCli(
    'train',
    [
      ...['--data', join(dir, 'train.csv'), '--validation', join(dir, 'dev.csv')],
      ...['--model', 'webtune/tiny-random-bert-cls', '--hub', mirror.url, '--out', out],
      ...['--epochs', '2', '--lr', '1e-3', '--batch-size', '8', '--max-length', '24'],
      ...['--logging-steps', '2', '--warmup-ratio', '0.1', '--seed', '5', '--backend', 'wasm'],
    ],
    env,
  );
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run train', () => {
  it('exits 0 and writes the export folder, without its checkpoint', () => {
    expect(trainResult.code, trainResult.stderr).toBe(0);
    // Beside the model's files, only the hidden record of where the data came from (for npm run export --run).
    const listed = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(out.length + 1));
    expect(listed.filter((name) => !name.startsWith('.')).sort()).toEqual(WORDPIECE_FOLDER_FILES);
    expect(listed.filter((name) => name.startsWith('.'))).toEqual([join('.webtune', 'run.json')]);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'negative', 1: 'positive' });
    const args = JSON.parse(readFileSync(join(out, 'training_args.json'), 'utf8'));
    expect(args).toMatchObject({ learning_rate: 1e-3, num_train_epochs: 2, per_device_train_batch_size: 8 });
    expect(args).toMatchObject({
      seed: 5,
      max_seq_length: 24,
      webtune: { backend: 'wasm', trained_in: 'cli' },
    });
    // A CLI run's card says so, and holds no page wording.
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain("trained with WebTune's command line (Node.js)");
    expect(card).not.toMatch(/in the browser|as requested/);
    // The model came through the mirror (and went into the cache folder, with the tokenised data).
    expect(
      mirror.requests.some((r) => r.includes('/webtune/tiny-random-bert-cls/resolve/main/model.safetensors')),
    ).toBe(true);
    expect(readdirSync(join(dir, 'cache', 'webtune-tokenized'))).toHaveLength(1);
    // The progress bar reports loss, samples/s and ETA on stderr.
    expect(trainResult.stderr).toMatch(/step \d+\/10 .*loss .*samples\/s .*ETA/);
  });

  it('writes metrics.json as transformers logs it: training records and per-epoch evaluations', () => {
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const history = metrics.log_history as Record<string, number>[];
    // 40 rows / batch 8 = 5 steps per epoch, 2 epochs; a log every 2 steps; an evaluation per epoch.
    const logs = history.filter((r) => 'loss' in r);
    expect(logs.map((r) => r.step)).toEqual([2, 4, 6, 8, 10]);
    for (const r of logs) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['step', 'epoch', 'loss', 'learning_rate']));
      expect(Number.isFinite(r.loss)).toBe(true);
    }
    // Linear decay after one warm-up step: learning_rate at step s is 1e-3 * (10 - s) / 9.
    expect(logs.map((r) => r.learning_rate)).toEqual(
      logs.map((r) => expect.closeTo((1e-3 * (10 - r.step!)) / 9, 12)),
    );
    const evals = history.filter((r) => 'eval_loss' in r);
    expect(evals.map((r) => [r.step, r.epoch])).toEqual([
      [5, 1],
      [10, 2],
    ]);
    for (const r of evals) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['eval_loss', 'eval_accuracy', 'eval_f1']));
      expect(r.eval_accuracy! * 12).toBeCloseTo(Math.round(r.eval_accuracy! * 12), 9); // a count of 12 rows
    }
    // The final evaluation is of the same final weights as the last evaluation.
    expect(metrics.final_evaluation.accuracy).toBe(evals[1]!.eval_accuracy);
    expect(metrics.final_evaluation.macro_f1).toBeCloseTo(evals[1]!.eval_f1!, 12);
    expect(existsSync(join(out, 'README.md'))).toBe(true);
  });

  it('predict writes one row per input with the label and each class probability, or logits', async () => {
    // Duplicates are kept: one output row per input row.
    const input = join(dir, 'inputs.csv');
    writeFileSync(input, 'text\ngreat and lovely\nawful and dull\ngreat and lovely\n"superb, happy, nice"\n');
    const probs = join(dir, 'probs.csv');
    const logits = join(dir, 'logits.csv');
    const [a, b] = await Promise.all([
      runCli('predict', ['--model', out, '--data', input, '--out', probs, '--backend', 'wasm'], env),
      runCli(
        'predict',
        ['--model', out, '--data', input, '--out', logits, '--logits', '--backend', 'cpu'],
        env,
      ),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const read = (path: string) => Papa.parse<string[]>(readFileSync(path, 'utf8').trim()).data;
    const [pHeader, ...pRows] = read(probs);
    const [lHeader, ...lRows] = read(logits);
    expect(pHeader).toEqual(['text', 'predicted_label', 'negative', 'positive']);
    expect(lHeader).toEqual(pHeader);
    expect(pRows.map((r) => r[0])).toEqual([
      'great and lovely',
      'awful and dull',
      'great and lovely',
      'superb, happy, nice',
    ]);
    pRows.forEach((row, i) => {
      const p = row.slice(2).map(Number);
      const z = lRows[i]!.slice(2).map(Number);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
      // softmax of the logits (computed on another backend) gives the probabilities.
      const e = z.map((x) => Math.exp(x - Math.max(...z)));
      expect(p[1]!).toBeCloseTo(e[1]! / (e[0]! + e[1]!), 5);
      const best = ['negative', 'positive'][p[1]! > p[0]! ? 1 : 0];
      expect(row[1]).toBe(best);
      expect(lRows[i]![1]).toBe(best);
    });
    expect(pRows[0]!.slice(1)).toEqual(pRows[2]!.slice(1));
  });
});
