// `npm run bench:sst2`: issue 5's comparison with PyTorch. Fine-tunes ../shared/models/webtune--bert-tiny-mlm
// on SST-2 (the first 2,000 training rows, dev as validation; 3 epochs, lr 2e-4, batch 32, 64 tokens, warmup
// 0.1, weight decay 0.01) with WebTune's CLI on wasm and with refbert.py finetune (fed the very same rows,
// tokenised by our tokenizer), one run at a time; prints the table and writes JSON to bench/results/.
// The mean accuracies must be within 1.5 points of each other. One run's dev accuracy moves by about a point
// from seed to seed (measured sd 0.9 on either side), so the mean of two seeds per side differs by more than
// 1.5 points about one time in ten even between identical trainers: the default is ten seeds (42–51), which
// contain the two; `-- --seeds 42,43` runs just those. About 75 s a seed here, so not in `npm run bench`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTrainingData } from '../src/cli/prepare-data';
import { tokenizeExamples } from '../src/core/train/tokenize-examples';
import { loadTokenizer } from '../src/core/tokenize/tokenizer';
import { sharedPath } from '../test/support/shared';
import { PYTHON } from '../test/support/python';

const seedsFlag = process.argv.indexOf('--seeds');
const SEEDS =
  seedsFlag > 0
    ? (process.argv[seedsFlag + 1] ?? '').split(',').map(Number)
    : Array.from({ length: 10 }, (_, i) => 42 + i);
if (SEEDS.length === 0 || SEEDS.some((s) => !Number.isInteger(s) || s < 0))
  throw new Error('--seeds takes whole numbers separated by commas, e.g. --seeds 42,43,44');
const ROWS = 2000;
const RECIPE = { epochs: 3, lr: 2e-4, batch: 32, maxLength: 64, warmup: 0.1, weightDecay: 0.01 };
const MODEL = sharedPath('models', 'webtune--bert-tiny-mlm');

const work = mkdtempSync(join(tmpdir(), 'webtune-sst2-'));
const trainCsv = join(work, 'train.csv');
const lines = readFileSync(sharedPath('datasets', 'sst2', 'train.csv'), 'utf8').split('\n');
writeFileSync(trainCsv, `${lines.slice(0, ROWS + 1).join('\n')}\n`);
const devCsv = sharedPath('datasets', 'sst2', 'dev.csv');

// The reference gets the rows the CLI trains on (after the same cleaning), as ids from our tokenizer.
const { prepared } = await prepareTrainingData(trainCsv, devCsv, {});
const files: Record<string, string> = {};
for (const name of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'])
  files[name] = readFileSync(join(MODEL, name), 'utf8');
const tokenizer = loadTokenizer(files, { model: 'bert-tiny-mlm', maxLength: RECIPE.maxLength });
const jsonl = (name: string, examples: typeof prepared.train) => {
  const path = join(work, name);
  const rows = tokenizeExamples(tokenizer, examples, RECIPE.maxLength);
  writeFileSync(path, rows.map((r) => JSON.stringify({ ids: r.inputIds, label: r.label })).join('\n') + '\n');
  return path;
};
const trainJsonl = jsonl('train.jsonl', prepared.train);
const evalJsonl = jsonl('eval.jsonl', prepared.validation);
console.log(`SST-2: ${prepared.train.length} training rows, ${prepared.validation.length} validation rows`);

interface Row {
  runner: 'webtune-wasm' | 'pytorch-refbert';
  seed: number;
  accuracy: number;
  macro_f1: number;
  samples_per_second: number;
  wall_seconds: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const started = Date.now();
  const result = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return result.stdout;
}

const rows: Row[] = [];
for (const seed of SEEDS) {
  const out = join(work, `webtune-${seed}`);
  console.log(`WebTune (wasm), seed ${seed}`);
  const started = Date.now();
  run(
    'npx',
    [
      'tsx',
      'src/cli/train.ts',
      ...['--data', trainCsv, '--validation', devCsv, '--model', MODEL, '--out', out],
      ...['--epochs', `${RECIPE.epochs}`, '--lr', `${RECIPE.lr}`, '--batch-size', `${RECIPE.batch}`],
      ...['--max-length', `${RECIPE.maxLength}`, '--warmup-ratio', `${RECIPE.warmup}`],
      ...['--weight-decay', `${RECIPE.weightDecay}`, '--seed', `${seed}`, '--backend', 'wasm'],
      ...['--eval-batch-size', '64'],
    ],
    { ...process.env, WEBTUNE_CACHE: join(work, 'cache') },
  );
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
    log_history: Record<string, number>[];
    final_evaluation: { accuracy: number; macro_f1: number };
  };
  const summary = metrics.log_history.find((r) => r.train_samples_per_second !== undefined);
  rows.push({
    runner: 'webtune-wasm',
    seed,
    accuracy: metrics.final_evaluation.accuracy,
    macro_f1: metrics.final_evaluation.macro_f1,
    samples_per_second: summary?.train_samples_per_second ?? NaN,
    wall_seconds: (Date.now() - started) / 1000,
  });
}
for (const seed of SEEDS) {
  console.log(`PyTorch refbert.py finetune, seed ${seed}`);
  const started = Date.now();
  const stdout = run(PYTHON, [
    sharedPath('tools', 'refbert.py'),
    'finetune',
    ...['--model', MODEL, '--train', trainJsonl, '--eval', evalJsonl],
    ...['--lr', `${RECIPE.lr}`, '--epochs', `${RECIPE.epochs}`, '--batch', `${RECIPE.batch}`],
    ...['--maxlen', `${RECIPE.maxLength}`, '--warmup', `${RECIPE.warmup}`, '--wd', `${RECIPE.weightDecay}`],
    ...['--seed', `${seed}`],
  ]);
  const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  rows.push({
    runner: 'pytorch-refbert',
    seed,
    accuracy: last.eval_accuracy ?? NaN,
    macro_f1: last.eval_macro_f1 ?? NaN,
    samples_per_second: last.train_samples_per_s ?? NaN,
    wall_seconds: (Date.now() - started) / 1000,
  });
}

/** Mean and sample standard deviation of one runner's accuracies, in points. */
const summarise = (runner: Row['runner']) => {
  const points = rows.filter((r) => r.runner === runner).map((r) => r.accuracy * 100);
  const mean = points.reduce((s, v) => s + v, 0) / points.length;
  const sd =
    points.length > 1
      ? Math.sqrt(points.reduce((s, v) => s + (v - mean) ** 2, 0) / (points.length - 1))
      : NaN;
  return { mean, sd, n: points.length };
};
const ours = summarise('webtune-wasm');
const reference = summarise('pytorch-refbert');
const gapPoints = Math.abs(ours.mean - reference.mean);
// The standard error of the difference of the two means (Welch), to tell a real gap from seed noise.
const gapStandardError = Math.sqrt(ours.sd ** 2 / ours.n + reference.sd ** 2 / reference.n);
console.table(rows);
console.log(
  `mean accuracy over ${SEEDS.length} seeds: WebTune ${ours.mean.toFixed(2)}% (sd ${ours.sd.toFixed(2)}), ` +
    `PyTorch ${reference.mean.toFixed(2)}% (sd ${reference.sd.toFixed(2)}); gap ${gapPoints.toFixed(2)} points ` +
    `± ${gapStandardError.toFixed(2)} (standard error), ${gapPoints <= 1.5 ? 'within' : 'OUTSIDE'} the 1.5-point bound`,
);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `sst2-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      model: 'webtune/bert-tiny-mlm',
      recipe: RECIPE,
      train_rows: prepared.train.length,
      validation_rows: prepared.validation.length,
      rows,
      webtune: ours,
      pytorch: reference,
      gap_points: gapPoints,
      gap_standard_error: gapStandardError,
    },
    null,
    2,
  ),
);
console.log(`Wrote ${file}`);
