// `npm run bench:clm-lockstep`: WebTune's CLI and transformers' Trainer fine-tune webtune--gpt2-tiny-lm in lock
// step, to tell a difference of recipe from seed noise in bench:clm-agnews. Dropout is set to 0 and every packed
// training block goes in one batch, so that neither side's random numbers (shuffle order, dropout masks) play a
// part: both then compute the same full-batch AdamW steps of the recipe (block size 128, lr 5e-4, warmup
// 0.1, weight decay 0.01, linear decay, clipping at 1) and must log the same loss at every step and end at the
// same eval loss, up to float32 rounding. Prints both trajectories side by side and the largest relative gaps.
// `-- --texts 60 --epochs 30` to change the size (texts of ag_news/test.csv for training; a third as many held out).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Papa from 'papaparse';

import { pythonStackInterpreter } from '../test/python/stack.mjs';
import { sharedPath } from '../test/support/shared';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number above 0`);
  return value;
};
const TEXTS = flag('--texts', 60);
const EPOCHS = flag('--epochs', 30);
const RECIPE = { block_size: 128, lr: 5e-4, warmup_ratio: 0.1, weight_decay: 0.01, seed: 42 };

const work = mkdtempSync(join(tmpdir(), 'webtune-clm-lockstep-'));
// The pre-trained tiny GPT-2 without dropout: the only change to the model.
const model = join(work, 'model');
cpSync(sharedPath('models', 'webtune--gpt2-tiny-lm'), model, { recursive: true });
const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
writeFileSync(
  join(model, 'config.json'),
  JSON.stringify({ ...config, attn_pdrop: 0, embd_pdrop: 0, resid_pdrop: 0, summary_first_dropout: 0 }),
);

const rows = Papa.parse<string[]>(readFileSync(sharedPath('datasets', 'ag_news', 'test.csv'), 'utf8'), {
  skipEmptyLines: true,
}).data;
const header = rows[0]!;
const textColumn = header.indexOf('text');
if (textColumn < 0) throw new Error(`ag_news/test.csv has no text column: ${header.join(', ')}`);
const texts = rows.slice(1).map((r) => r[textColumn]!);
const train = texts.slice(0, TEXTS);
const validation = texts.slice(TEXTS, TEXTS + Math.ceil(TEXTS / 3));
const writeTexts = (name: string, xs: string[]) => {
  const path = join(work, name);
  writeFileSync(path, Papa.unparse({ fields: ['text'], data: xs.map((t) => [t]) }));
  return path;
};
// More rows per batch than there are blocks: one batch, one optimizer step per epoch.
const BATCH = 4096;

const out = join(work, 'webtune');
const ours = spawnSync(
  'npx',
  [
    'tsx',
    'src/cli/train.ts',
    ...['--data', writeTexts('train.csv', train), '--validation', writeTexts('validation.csv', validation)],
    ...['--model', model, '--out', out, '--block-size', `${RECIPE.block_size}`, '--epochs', `${EPOCHS}`],
    ...['--lr', `${RECIPE.lr}`, '--batch-size', `${BATCH}`, '--warmup-ratio', `${RECIPE.warmup_ratio}`],
    ...['--weight-decay', `${RECIPE.weight_decay}`, '--seed', `${RECIPE.seed}`, '--backend', 'wasm'],
    ...['--eval-strategy', 'no', '--logging-steps', '1'],
  ],
  { encoding: 'utf8', env: { ...process.env, WEBTUNE_CACHE: join(work, 'cache') }, maxBuffer: 1 << 28 },
);
if (ours.status !== 0) throw new Error(`WebTune failed: ${ours.stderr.slice(-2000)}`);
const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
  eval_loss: number;
  log_history: { step: number; loss?: number }[];
};
const webtune = {
  losses: metrics.log_history.filter((r) => r.loss !== undefined).map((r) => r.loss!),
  eval_loss: metrics.eval_loss,
};

const peer = spawnSync(
  pythonStackInterpreter(),
  [
    '-c',
    `
import json, sys, torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments, default_data_collator
c = json.load(sys.stdin)
torch.manual_seed(0)
tok = AutoTokenizer.from_pretrained(c["model"])
def packed(texts):
    ids = [i for t in texts for i in tok(t)["input_ids"] + [tok.eos_token_id]]
    b = c["block_size"]; n = len(ids) // b * b
    blocks = [ids[i : i + b] for i in range(0, n, b)]
    return Dataset.from_dict({"input_ids": blocks, "labels": [list(x) for x in blocks]})
train, valid = packed(c["train"]), packed(c["validation"])
args = TrainingArguments(output_dir=c["work"] + "/trainer", num_train_epochs=c["epochs"], learning_rate=c["lr"],
    per_device_train_batch_size=c["batch"], per_device_eval_batch_size=c["batch"], warmup_steps=c["warmup_ratio"],
    weight_decay=c["weight_decay"], seed=c["seed"], save_strategy="no", report_to=[], logging_steps=1,
    use_cpu=True, dataloader_num_workers=0)
model = AutoModelForCausalLM.from_pretrained(c["model"])
# GPT2LMHeadModel has no loss_type, so transformers 5.18's Trainer counts every label of a block (128) as an item
# instead of the 127 the shifted loss predicts, and reports sum/128 per token: name the loss, as Llama's has it.
model.loss_type = "ForCausalLM"
trainer = Trainer(model=model, args=args, train_dataset=train,
    eval_dataset=valid, data_collator=default_data_collator)
trainer.train()
losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
print(json.dumps({"losses": losses, "eval_loss": trainer.evaluate()["eval_loss"], "blocks": len(train)}))
`,
  ],
  {
    input: JSON.stringify({ model, train, validation, work, epochs: EPOCHS, batch: BATCH, ...RECIPE }),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  },
);
if (peer.status !== 0) throw new Error(`the Trainer failed: ${peer.stderr.slice(-2000)}`);
const trainer = JSON.parse(peer.stdout.trim().split('\n').at(-1)!) as {
  losses: number[];
  eval_loss: number;
  blocks: number;
};

if (webtune.losses.length !== trainer.losses.length)
  throw new Error(`WebTune logged ${webtune.losses.length} steps, the Trainer ${trainer.losses.length}`);
const gap = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
console.table(
  webtune.losses.map((loss, i) => ({
    step: i + 1,
    webtune: loss,
    trainer: trainer.losses[i]!,
    relative_gap: gap(loss, trainer.losses[i]!),
  })),
);
const worst = Math.max(...webtune.losses.map((l, i) => gap(l, trainer.losses[i]!)));
console.log(
  `${trainer.blocks} training blocks of ${RECIPE.block_size} tokens, ${EPOCHS} full-batch steps: largest relative ` +
    `gap in the step loss ${worst.toExponential(2)}; eval loss WebTune ${webtune.eval_loss.toFixed(6)}, Trainer ` +
    `${trainer.eval_loss.toFixed(6)} (relative gap ${gap(webtune.eval_loss, trainer.eval_loss).toExponential(2)}; ` +
    `perplexity ${Math.exp(webtune.eval_loss).toFixed(3)} vs ${Math.exp(trainer.eval_loss).toFixed(3)})`,
);
