// `npm run bench:clm-agnews`: causal-LM fine-tuning of ../shared/models/webtune--gpt2-tiny-lm on the texts of
// ../shared/datasets/ag_news/test.csv (not in its pre-training corpus), 10 % held out, with WebTune's CLI (wasm)
// and with transformers' Trainer (bench/clm_agnews_trainer.py, torch on the CPU), the issue's recipe: block size
// 128 (packing with EOS after each text), 2 epochs, lr 5e-4, batch 8, warmup 0.1, weight decay 0.01, three seeds.
// Prints eval perplexity side by side, tokens/s of both and what the model writes for three prompts before and
// after. `-- --seeds 42,43 --rows 800` for a shorter run (rows: how many texts of the file to use, all by default).
//
// The six runs take hours on a 2-core machine, longer than one sitting may leave, so each finished
// run is written at once to `--results FILE` (default bench/results/clm-agnews.json) and a later invocation with
// the same recipe and rows runs only the (side, seed) pairs missing there. The two sides of a seed run one after
// the other, so their tokens/s are measured under the same conditions; `-- --sides transformers` (or webtune)
// runs one side only, for a sitting with less time left than a WebTune seed takes (its runs' dates say when).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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
const SIDES = (flag('--sides') ?? 'webtune,transformers').split(',');
if (SIDES.some((side) => side !== 'webtune' && side !== 'transformers'))
  throw new Error('--sides takes webtune, transformers or both, separated by a comma');
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
  /** Greedy continuations of PROMPTS by the fine-tuned model (20 new tokens). */
  after: string[];
  /** When the run ended: runs of one record may come from different sittings. */
  date: string;
}
interface Results {
  recipe: typeof RECIPE;
  rows: number;
  texts: { train: number; validation: number };
  prompts: string[];
  /** What the base model writes for PROMPTS (greedy, 20 new tokens). */
  before?: string[];
  runs: Run[];
}

const resultsFile = flag('--results') ?? join(import.meta.dirname, 'results', 'clm-agnews.json');
const fresh: Results = {
  recipe: RECIPE,
  rows: rows.length,
  texts: { train: split.train.length, validation: split.validation.length },
  prompts: PROMPTS,
  runs: [],
};
const stored = existsSync(resultsFile)
  ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Results)
  : undefined;
const sameSetUp = (r: Results) =>
  JSON.stringify([r.recipe, r.rows, r.texts, r.prompts]) ===
  JSON.stringify([fresh.recipe, fresh.rows, fresh.texts, fresh.prompts]);
if (stored && !sameSetUp(stored))
  throw new Error(
    `${resultsFile} holds runs of another recipe, row count or prompts; pass --results with a new file name`,
  );
const results: Results = stored ?? fresh;
/** Written through a temporary file, so that a sitting cut off mid-write leaves the earlier runs intact. */
const save = () => {
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(`${resultsFile}.partial`, JSON.stringify(results, null, 2) + '\n');
  renameSync(`${resultsFile}.partial`, resultsFile);
};
const has = (side: Run['side'], seed: number) => results.runs.some((r) => r.side === side && r.seed === seed);

const python = (args: string[], input: unknown) => {
  const result = spawnSync(pythonStackInterpreter(), args, {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) throw new Error(`${args[0]} failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout) as unknown;
};

// What a WebTune export writes, greedy (transformers loads the export; the CLI test shows both agree).
const GREEDY = `
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
`;

function runWebtune(seed: number): Run {
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
  return {
    side: 'webtune',
    seed,
    perplexity: metrics.perplexity,
    eval_loss: metrics.eval_loss,
    tokens_per_second: (trainBlocks * RECIPE.block_size * RECIPE.epochs) / summary.train_runtime!,
    wall_seconds: (Date.now() - started) / 1000,
    after: python(['-c', GREEDY], { out, prompts: PROMPTS }) as string[],
    date: new Date().toISOString(),
  };
}

function runTrainer(seed: number): { before: string[]; run: Run } {
  const peer = python([join(import.meta.dirname, 'clm_agnews_trainer.py')], {
    model: MODEL,
    train: texts(split.train),
    validation: texts(split.validation),
    seeds: [seed],
    prompts: PROMPTS,
    work,
    ...RECIPE,
  }) as { before: string[]; runs: Omit<Run, 'side' | 'date'>[] };
  return {
    before: peer.before,
    run: { ...peer.runs[0]!, side: 'transformers', date: new Date().toISOString() },
  };
}

for (const seed of SEEDS) {
  if (SIDES.includes('webtune') && !has('webtune', seed)) {
    results.runs.push(runWebtune(seed));
    save();
    console.log(results.runs.at(-1));
  }
  if (SIDES.includes('transformers') && !has('transformers', seed)) {
    const { before, run } = runTrainer(seed);
    results.before = before;
    results.runs.push(run);
    save();
    console.log(results.runs.at(-1));
  }
}

const chosen = (side: Run['side']) =>
  results.runs.filter((r) => r.side === side && SEEDS.includes(r.seed)).sort((a, b) => a.seed - b.seed);
const mean = (side: Run['side'], key: 'perplexity' | 'tokens_per_second') => {
  const xs = chosen(side).map((r) => r[key]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
console.table([...chosen('webtune'), ...chosen('transformers')].map(({ after: _after, ...r }) => r));
const missing = (['webtune', 'transformers'] as const).flatMap((side) =>
  SEEDS.filter((seed) => !has(side, seed)).map((seed) => `${side} seed ${seed}`),
);
if (missing.length > 0) {
  console.log(`Not compared yet: ${missing.join(', ')} still to run. Runs are in ${resultsFile}`);
  process.exit(0);
}
const ours = mean('webtune', 'perplexity');
const theirs = mean('transformers', 'perplexity');
console.log(
  `mean eval perplexity over seeds ${SEEDS.join(', ')} (${split.train.length} training / ` +
    `${split.validation.length} validation texts): WebTune ${ours.toFixed(2)}, Trainer ${theirs.toFixed(2)} ` +
    `(${((ours / theirs - 1) * 100).toFixed(2)} %; the issue's bound: +2 %); tokens/s WebTune ` +
    `${mean('webtune', 'tokens_per_second').toFixed(0)}, Trainer ${mean('transformers', 'tokens_per_second').toFixed(0)}`,
);
const lastOf = (side: Run['side']) => chosen(side).at(-1)!.after;
PROMPTS.forEach((p, i) =>
  console.log(
    `${JSON.stringify(p)}\n  before:          ${JSON.stringify(results.before?.[i])}\n` +
      `  after (WebTune): ${JSON.stringify(lastOf('webtune')[i])}\n` +
      `  after (Trainer): ${JSON.stringify(lastOf('transformers')[i])}`,
  ),
);
console.log(`Runs are in ${resultsFile}`);
