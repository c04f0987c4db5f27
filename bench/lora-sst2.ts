// `npm run bench:lora-sst2`: SST-2 accuracy of LoRA against full fine-tuning of ../shared/models/webtune--bert-tiny-mlm,
// with bench:sst2's recipe (2000 training rows, the dev set, 3 epochs, lr 2e-4, batch 32, max length 64, warmup
// 0.1, weight decay 0.01) through `npm run train` on wasm, the same seeds for both; LoRA at PEFT's default
// targets (query, value) with r 8, alpha 16, and the classifier trained in full (SEQ_CLS), once at the recipe's
// rate and once at 1e-3 (the Train form's LoRA default for a model this size: LoRA's B starts at zero and few
// parameters move, so full fine-tuning's rate leaves it near chance). `-- --seeds 42,43 --modes full,lora`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sharedPath } from '../test/support/shared';

const seedsFlag = process.argv.indexOf('--seeds');
const SEEDS = seedsFlag > 0 ? (process.argv[seedsFlag + 1] ?? '').split(',').map(Number) : [42, 43, 44];
if (SEEDS.some((s) => !Number.isInteger(s)))
  throw new Error('--seeds takes whole numbers separated by commas');
const ROWS = 2000;
const RECIPE = { epochs: 3, lr: 2e-4, batch: 32, maxLength: 64, warmup: 0.1, weightDecay: 0.01 };
const MODEL = sharedPath('models', 'webtune--bert-tiny-mlm');
const LORA = ['--mode', 'lora', '--lora-r', '8', '--lora-alpha', '16', '--export', 'adapter'];
/** Each mode's flags and learning rate (the recipe's unless it says otherwise). */
const ALL_MODES: Record<string, { flags: string[]; lr: number }> = {
  full: { flags: [], lr: RECIPE.lr },
  lora: { flags: LORA, lr: RECIPE.lr },
  'lora-lr1e-3': { flags: LORA, lr: 1e-3 },
};
const modesFlag = process.argv.indexOf('--modes');
const picked = modesFlag > 0 ? (process.argv[modesFlag + 1] ?? '').split(',') : Object.keys(ALL_MODES);
const unknown = picked.filter((m) => !(m in ALL_MODES));
if (unknown.length > 0)
  throw new Error(`--modes: unknown ${unknown.join(', ')} (known: ${Object.keys(ALL_MODES).join(', ')})`);
const MODES = Object.fromEntries(picked.map((m) => [m, ALL_MODES[m]!]));

const work = mkdtempSync(join(tmpdir(), 'webtune-lora-sst2-'));
const trainCsv = join(work, 'train.csv');
const lines = readFileSync(sharedPath('datasets', 'sst2', 'train.csv'), 'utf8').split('\n');
writeFileSync(trainCsv, `${lines.slice(0, ROWS + 1).join('\n')}\n`);
const devCsv = sharedPath('datasets', 'sst2', 'dev.csv');

interface Row {
  mode: string;
  seed: number;
  learning_rate: number;
  accuracy: number;
  macro_f1: number;
  samples_per_second: number;
  wall_seconds: number;
}
const rows: Row[] = [];
for (const seed of SEEDS) {
  for (const [mode, { flags, lr }] of Object.entries(MODES)) {
    const out = join(work, `${mode}-${seed}`);
    const started = Date.now();
    const result = spawnSync(
      'npx',
      [
        'tsx',
        'src/cli/train.ts',
        ...['--data', trainCsv, '--validation', devCsv, '--model', MODEL, '--out', out],
        ...['--epochs', `${RECIPE.epochs}`, '--lr', `${lr}`, '--batch-size', `${RECIPE.batch}`],
        ...['--max-length', `${RECIPE.maxLength}`, '--warmup-ratio', `${RECIPE.warmup}`],
        ...['--weight-decay', `${RECIPE.weightDecay}`, '--seed', `${seed}`, '--backend', 'wasm'],
        ...['--eval-batch-size', '64', ...flags],
      ],
      { encoding: 'utf8', env: { ...process.env, WEBTUNE_CACHE: join(work, 'cache') } },
    );
    if (result.status !== 0) throw new Error(`${mode} seed ${seed} failed: ${result.stderr}`);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      log_history: Record<string, number>[];
      final_evaluation: { accuracy: number; macro_f1: number };
    };
    const summary = metrics.log_history.find((r) => r.train_samples_per_second !== undefined);
    rows.push({
      mode,
      seed,
      learning_rate: lr,
      accuracy: metrics.final_evaluation.accuracy,
      macro_f1: metrics.final_evaluation.macro_f1,
      samples_per_second: summary?.train_samples_per_second ?? NaN,
      wall_seconds: (Date.now() - started) / 1000,
    });
    console.log(rows.at(-1));
  }
}
const stats = (mode: string) => {
  const xs = rows.filter((r) => r.mode === mode).map((r) => 100 * r.accuracy);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(xs.length - 1, 1));
  return { n: xs.length, mean, sd };
};
console.table(rows);
const summary = Object.fromEntries(Object.keys(MODES).map((m) => [m, stats(m)]));
console.log(
  `mean SST-2 accuracy over ${SEEDS.length} seeds: ` +
    Object.entries(summary)
      .map(([m, s]) => `${m} ${s.mean.toFixed(2)}% (sd ${s.sd.toFixed(2)})`)
      .join(', '),
);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `lora-sst2-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ date: new Date().toISOString(), recipe: RECIPE, rows, summary }, null, 2),
);
console.log(`Wrote ${file}`);
