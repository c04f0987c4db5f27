// `npm run bench:clm-agnews`: causal-LM fine-tuning of ../shared/models/webtune--gpt2-tiny-lm on the texts of
// ../shared/datasets/ag_news/test.csv (not in its pre-training corpus), 10 % held out, with WebTune's CLI (wasm)
// and with transformers' Trainer (bench/clm_agnews_trainer.py, torch on the CPU), the issue's recipe: block size
// 128 (packing with EOS after each text), 2 epochs, lr 5e-4, batch 8, warmup 0.1, weight decay 0.01, three seeds.
// Prints eval perplexity side by side, tokens/s of both and what the model writes for three prompts before and
// after. `-- --seeds 42,43 --rows 800` for a shorter run (rows: how many texts of the file to use, all by default).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Papa from 'papaparse';

import { prepareGenerative } from '../src/core/data/generative';
import { pythonStackInterpreter } from '../test/python/stack.mjs';
import { sharedPath } from '../test/support/shared';

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SEEDS = (flag('--seeds') ?? '42,43,44').split(',').map(Number);
if (SEEDS.some((s) => !Number.isInteger(s)))
  throw new Error('--seeds takes whole numbers separated by commas');
const ROWS = flag('--rows') === undefined ? Infinity : Number(flag('--rows'));
const RECIPE = { block_size: 128, epochs: 2, lr: 5e-4, batch: 8, warmup_ratio: 0.1, weight_decay: 0.01 };
const MODEL = sharedPath('models', 'webtune--gpt2-tiny-lm');
const PROMPTS = ['Oil prices rose on', 'The company said on Tuesday that', 'Scientists have discovered'];

const work = mkdtempSync(join(tmpdir(), 'webtune-clm-agnews-'));
const csv = Papa.parse<string[]>(readFileSync(sharedPath('datasets', 'ag_news', 'test.csv'), 'utf8'), {
  skipEmptyLines: true,
}).data;
const [header, ...body] = csv as [string[], ...string[][]];
const rows = body.slice(0, ROWS);
// WebTune's own split (seeded, 10 %), written out so that both sides train and evaluate on the same texts.
const split = prepareGenerative([{ file: 'test.csv', role: 'train', columns: header, rows }], {
  validationShare: 0.1,
  seed: 42,
});
const texts = (records: typeof split.train) => records.map((r) => (r.kind === 'text' ? r.text : ''));
const writeTexts = (name: string, xs: string[]) => {
  const path = join(work, name);
  writeFileSync(path, Papa.unparse({ fields: ['text'], data: xs.map((t) => [t]) }));
  return path;
};
const trainCsv = writeTexts('train.csv', texts(split.train));
const validCsv = writeTexts('validation.csv', texts(split.validation));

interface Run {
  side: 'webtune' | 'transformers';
  seed: number;
  perplexity: number;
  eval_loss: number;
  tokens_per_second: number;
  wall_seconds: number;
  after?: string[];
}
const runs: Run[] = [];
let lastWebtuneOut = '';
for (const seed of SEEDS) {
  const out = join(work, `webtune-${seed}`);
  const started = Date.now();
  const result = spawnSync(
    'npx',
    [
      'tsx',
      'src/cli/train.ts',
      ...['--data', trainCsv, '--validation', validCsv, '--model', MODEL, '--out', out],
      ...['--block-size', `${RECIPE.block_size}`, '--epochs', `${RECIPE.epochs}`, '--lr', `${RECIPE.lr}`],
      ...['--batch-size', `${RECIPE.batch}`, '--warmup-ratio', `${RECIPE.warmup_ratio}`],
      ...['--weight-decay', `${RECIPE.weight_decay}`, '--seed', `${seed}`, '--backend', 'wasm'],
      ...['--eval-strategy', 'no', '--logging-steps', '50'],
    ],
    { encoding: 'utf8', env: { ...process.env, WEBTUNE_CACHE: join(work, 'cache') }, maxBuffer: 1 << 28 },
  );
  if (result.status !== 0) throw new Error(`WebTune seed ${seed} failed: ${result.stderr.slice(-2000)}`);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
    eval_loss: number;
    perplexity: number;
    log_history: Record<string, number>[];
  };
  const summary = metrics.log_history.find((r) => r.train_runtime !== undefined)!;
  const trainBlocks = Number(/tokens: (\d+) training/.exec(result.stderr)?.[1]);
  runs.push({
    side: 'webtune',
    seed,
    perplexity: metrics.perplexity,
    eval_loss: metrics.eval_loss,
    tokens_per_second: (trainBlocks * RECIPE.block_size * RECIPE.epochs) / summary.train_runtime!,
    wall_seconds: (Date.now() - started) / 1000,
  });
  console.log(runs.at(-1));
  lastWebtuneOut = out;
}

// What the last WebTune model writes, greedy (transformers loads the export; the CLI test shows both agree).
const continuations = spawnSync(
  pythonStackInterpreter(),
  [
    '-c',
    `
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["out"]); m = AutoModelForCausalLM.from_pretrained(d["out"]).eval()
res = []
for p in d["prompts"]:
    ids = tok(p, return_tensors="pt").input_ids
    g = m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=20, do_sample=False, pad_token_id=tok.eos_token_id)
    res.append(tok.decode(g[0][ids.shape[1]:], skip_special_tokens=True))
print(json.dumps(res))
`,
  ],
  { input: JSON.stringify({ out: lastWebtuneOut, prompts: PROMPTS }), encoding: 'utf8' },
);
const webtuneWrites = JSON.parse(continuations.stdout) as string[];

const peer = spawnSync(pythonStackInterpreter(), [join(import.meta.dirname, 'clm_agnews_trainer.py')], {
  input: JSON.stringify({
    model: MODEL,
    train: texts(split.train),
    validation: texts(split.validation),
    seeds: SEEDS,
    prompts: PROMPTS,
    work,
    ...RECIPE,
  }),
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
if (peer.status !== 0) throw new Error(`the Trainer failed: ${peer.stderr.slice(-2000)}`);
const trainer = JSON.parse(peer.stdout) as {
  before: string[];
  runs: (Omit<Run, 'side'> & { after: string[] })[];
};
for (const r of trainer.runs) runs.push({ ...r, side: 'transformers' });

const mean = (side: Run['side'], key: 'perplexity' | 'tokens_per_second') => {
  const xs = runs.filter((r) => r.side === side).map((r) => r[key]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
console.table(runs.map(({ after: _after, ...r }) => r));
const ours = mean('webtune', 'perplexity');
const theirs = mean('transformers', 'perplexity');
console.log(
  `mean eval perplexity over ${SEEDS.length} seeds (${split.train.length} training / ${split.validation.length} ` +
    `validation texts): WebTune ${ours.toFixed(2)}, Trainer ${theirs.toFixed(2)} ` +
    `(${((ours / theirs - 1) * 100).toFixed(2)} %); tokens/s WebTune ${mean('webtune', 'tokens_per_second').toFixed(0)}, ` +
    `Trainer ${mean('transformers', 'tokens_per_second').toFixed(0)}`,
);
PROMPTS.forEach((p, i) =>
  console.log(
    `${JSON.stringify(p)}\n  before:          ${JSON.stringify(trainer.before[i])}\n` +
      `  after (WebTune): ${JSON.stringify(webtuneWrites[i])}\n` +
      `  after (Trainer): ${JSON.stringify(trainer.runs.at(-1)!.after[i])}`,
  ),
);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `clm-agnews-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      recipe: RECIPE,
      rows: rows.length,
      texts: { train: split.train.length, validation: split.validation.length },
      runs,
      prompts: PROMPTS,
      before: trainer.before,
      after: { webtune: webtuneWrites, transformers: trainer.runs.at(-1)!.after },
    },
    null,
    2,
  ),
);
console.log(`Wrote ${file}`);
