// The training project of a causal-LM run, checked by running it: `npm run train --project` on
// webtune/gpt2-tiny-lm (instruction data with completion_only_loss, padded rows; plain text packed into blocks,
// LoRA continuing a PEFT adapter; chat data through the ChatML WebTune adds, assistant_only_loss; new LoRA
// adapters, three seeds), then the generated train.py with the real transformers, PEFT and datasets
// (test/python). lm_examples.py must make exactly WebTune's examples (ids and -100 labels, for chat data too),
// the Trainer's final perplexity on the validation rows must be within 2 % of WebTune's, the saved folder must
// load back into WebTune with the Trainer's own eval loss, and ruff must pass on the generated scripts.
//
// Why 2 % means something here: both trainers run the same recipe on the same examples; what may differ is only
// their random streams (dropout masks, the shuffled order, new adapters' initial values). The fixture is used with
// its dropout set to 0, every run takes the whole training split as one batch (so the order within an epoch
// cannot change the update) and the LoRA run continues an adapter both load, so the two trajectories are the same
// up to float rounding. A wrong mask, EOS, packing or loss normalisation moves the perplexity far more than 2 %.
// New adapters are the exception: each trainer draws lora_A from its own random stream, so those runs are
// compared by their mean over seeds (see NEW_LORA_TOLERANCE).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readGenerativeData } from '../../src/cli/generative-data';
import { writeExportFolder } from '../../src/cli/write-folder';
import { loadModel } from '../../src/cli/load-model';
import { requireDecoder } from '../../src/cli/model-kind';
import { startBackend } from '../../src/cli/start-backend';
import type { GenerativeRecord } from '../../src/core/data/generative';
import { buildTrainingProject, type CausalLmProjectInputs } from '../../src/core/export/project';
import { buildCausalLM } from '../../src/core/models/causal-lm';
import type { HFConfig } from '../../src/core/models/types';
import { addChatMlTokens } from '../../src/core/models/chatml';
import { prepareCausalLmData } from '../../src/core/run/causal-lm';
import { causalLmEvalLoss, type CausalLmExample } from '../../src/core/tasks/causal-lm';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import type { CausalLmDataOptions } from '../../src/core/train/causal-lm-examples';
import { buildCausalLmExamples } from '../../src/core/train/causal-lm-examples';
import { errorLines, runCli, type CliResult } from '../support/cli';
import { PYTHON_STACK, runPythonStack } from '../support/python';
import { sharedModelDir, sharedPath } from '../support/shared';

const text = (path: string) => readFileSync(path, 'utf8');
const json = (path: string) => JSON.parse(text(path));
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const WORDS = ['apple', 'river', 'stone', 'cloud', 'green', 'music', 'paper', 'light', 'market', 'winter'];
const instructionRows = (n: number, offset: number) =>
  Array.from({ length: n }, (_, i) => {
    const w = WORDS[(i + offset) % WORDS.length]!;
    const v = WORDS[Math.floor((i + offset) / WORDS.length) % WORDS.length]!;
    return { prompt: `Repeat twice: ${w} ${v}\nAnswer:`, completion: ` ${w} ${v} ${w} ${v}` };
  });
/** The same task as conversations: some with a system turn, some with a second exchange (its user turn masked). */
const chatRows = (n: number, offset: number) =>
  Array.from({ length: n }, (_, i) => {
    const w = WORDS[(i + offset) % WORDS.length]!;
    const v = WORDS[Math.floor((i + offset) / WORDS.length) % WORDS.length]!;
    return {
      messages: [
        ...(i % 3 === 0 ? [{ role: 'system', content: 'Be brief.' }] : []),
        { role: 'user', content: `Twice: ${w} ${v}` },
        { role: 'assistant', content: `${w} ${v} ${w} ${v}` },
        ...(i % 3 === 1
          ? [
              { role: 'user', content: `Once: ${v}` },
              { role: 'assistant', content: v },
            ]
          : []),
      ],
    };
  });

interface ClmCase {
  name: string;
  kind: 'text' | 'instruction' | 'chat';
  train: string;
  validation: string;
  flags: string[];
  blockSize: number;
  seed: number;
}

/** The runs whose two trajectories are the same up to rounding (no new random values in either trainer). */
const SAME_TRAJECTORY = ['instruction', 'text', 'chat'] as const;
/** New LoRA adapters, initialised by each trainer from its own seed. */
const NEW_LORA_SEEDS = [1, 2, 3];
const newLoraKey = (seed: number) => `new-lora-${seed}`;
/**
 * How far the two seed means of the new-adapter runs' perplexity may be apart, relative. Measured on these runs
 * (6 steps at lr 5e-3, r 8, alpha 8 on c_attn; about 8400 before training, about 2100 after), over seeds 1 to 6:
 * the per-seed standard deviation is 3 % of the mean for the Trainer and 4 % for WebTune, so two 3-seed means
 * differ by about 3 % (one standard deviation) by chance alone; 10 % is three times that. A wrong scale, rank, target
 * or initialisation moves a mean at least twice that far: edited into train.py, lora_alpha ×2 took the
 * Trainer's 3-seed mean from 2080 to 1630 (−22 %), ×4 to 1340, r 16 to 1570 (one seed), c_proj added to the
 * targets to 1330 (two seeds), and lora_A drawn √6 times too wide (kaiming_uniform_ with a = 0) to 1700 (−19 %).
 */
const NEW_LORA_TOLERANCE = 0.1;

interface PythonRun {
  status: number | null;
  stderr: string;
  final: Record<string, number>;
}

let dir: string;
let model: string;
const cases: Record<string, ClmCase> = {};
const runs: Record<string, { out: string; project: string; train: CliResult; python?: PythonRun }> = {};

/** `python train.py` in the project, on the fixture folder (the Hub is not reachable from tests). */
function runProject(project: string): Promise<PythonRun> {
  return new Promise((done) => {
    const child = spawn(PYTHON_STACK, ['train.py', '--model_name_or_path', model], {
      cwd: project,
      env: { ...process.env, HF_HUB_OFFLINE: '1', TOKENIZERS_PARALLELISM: 'false', OMP_NUM_THREADS: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (status) => {
      let final: Record<string, number> = {};
      try {
        final = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      } catch {
        // Left empty; the first test reports the status and stderr.
      }
      done({ status, stderr, final });
    });
  });
}

/** WebTune's own examples of a case, as `npm run train` made them (the CLI's data reading, the core's task). */
async function webtuneExamples(
  c: ClmCase,
): Promise<{ train: CausalLmExample[]; validation: CausalLmExample[] }> {
  const { prepared } = await readGenerativeData(c.train, c.validation, undefined);
  // gpt2-tiny-lm has no chat template: chat data is rendered with the ChatML the CLI adds (decoderFilesForRun),
  // whose <|im_end|> (50258) is the eos then.
  const chat = prepared.report.kind === 'chat';
  const files = chat ? addChatMlTokens(tokenizerFiles(), 'gpt2-tiny-lm').tokenizerFiles : tokenizerFiles();
  const tokenizer = loadTokenizer(files, { model: 'gpt2-tiny-lm' });
  return prepareCausalLmData(tokenizer, prepared, chat ? 50258 : 50256, { block_size: c.blockSize }, 256);
}

function tokenizerFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) files[name] = text(join(model, name));
  return files;
}

interface ExamplesQuery {
  project: string;
  tokenizer: string;
  chatml: boolean;
}

type SplitColumns = Record<string, { input_ids: number[][]; labels: number[][] }>;

/** lm_examples.py's examples of each project's data, importing each in the real stack (one process for all). */
function projectExamples(queries: ExamplesQuery[]): SplitColumns[] {
  return runPythonStack(
    `import importlib.util, json, sys
from transformers import AutoTokenizer
out = []
for i, q in enumerate(json.load(sys.stdin)):
    spec = importlib.util.spec_from_file_location(f"lm_examples_{i}", q["project"] + "/lm_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tokenizer = AutoTokenizer.from_pretrained(q["tokenizer"])
    if q["chatml"]:
        module.add_chatml(tokenizer)
    examples = module.make_examples(tokenizer, module.read_rows(q["project"] + "/data"))
    out.append({split: examples[split].to_dict() for split in examples})
print(json.dumps(out))`,
    queries,
  );
}

const asColumns = (examples: CausalLmExample[]) => ({
  input_ids: examples.map((e) => e.inputIds),
  labels: examples.map((e) => e.labels),
});

const CHATS: GenerativeRecord[] = [
  {
    kind: 'chat',
    messages: [
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello! How can I help?' },
    ],
  },
  {
    kind: 'chat',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a colour.' },
      { role: 'assistant', content: 'Green.' },
      { role: 'user', content: 'Another?' },
      { role: 'assistant', content: 'Blue.' },
    ],
  },
];

/** WebTune's examples of CHATS and the project the core writes for them (assistant_only_loss, unpacked). */
async function chatProject(
  name: string,
  fixture: string,
  added: boolean,
): Promise<{ project: string; examples: CausalLmExample[] }> {
  const options: CausalLmDataOptions = {
    block_size: 64,
    packing: false,
    completion_only_loss: true,
    assistant_only_loss: true,
  };
  const files: Record<string, string> = {};
  for (const f of ['tokenizer.json', 'tokenizer_config.json', ...(added ? [] : ['chat_template.jinja'])])
    files[f] = text(join(fixture, f));
  const chatMl = added ? addChatMlTokens(files, name) : undefined;
  const tokenizer = loadTokenizer(chatMl?.tokenizerFiles ?? files, { model: name });
  const config = json(join(fixture, 'config.json')) as HFConfig;
  const eos = chatMl?.tokenIds.end ?? ([config.eos_token_id].flat()[0] as number);
  const project = join(dir, `chat-${name}`);
  const projectFiles = buildTrainingProject({
    task: 'causal-lm',
    runName: `chat-${name}`,
    baseModel: { hubId: `org/${name}`, config },
    kind: 'chat',
    train: CHATS,
    validation: CHATS,
    options,
    eosTokenId: eos,
    eosTokenIds: [eos],
    padTokenId: eos,
    contextLength: 256,
    chatTemplateAdded: added,
    args: resolveTrainingArguments({}),
    includeData: true,
  });
  await writeExportFolder(project, projectFiles);
  return { project, examples: buildCausalLmExamples(tokenizer, CHATS, eos, options).examples };
}

describe('a causal-LM run exported as a training project', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webtune-project-clm-'));
    // The pre-trained fixture without dropout (see the file's comment).
    model = join(dir, 'gpt2-tiny-lm');
    cpSync(sharedModelDir('webtune/gpt2-tiny-lm'), model, { recursive: true });
    const config = json(join(model, 'config.json'));
    for (const key of ['attn_pdrop', 'embd_pdrop', 'resid_pdrop', 'summary_first_dropout']) config[key] = 0;
    writeFileSync(join(model, 'config.json'), JSON.stringify(config, null, 2));

    writeFileSync(join(dir, 'instruction-train.jsonl'), jsonl(instructionRows(32, 0)));
    writeFileSync(join(dir, 'instruction-dev.jsonl'), jsonl(instructionRows(8, 50)));
    // Few chat rows: ChatML makes them long (a turn costs about 15 tokens of markup), and the update is full.
    writeFileSync(join(dir, 'chat-train.jsonl'), jsonl(chatRows(12, 0)));
    writeFileSync(join(dir, 'chat-dev.jsonl'), jsonl(chatRows(8, 50)));
    // The new adapters' task: few training rows (three runs a side), twice the validation rows (a steadier mean).
    writeFileSync(join(dir, 'lora-train.jsonl'), jsonl(instructionRows(8, 0)));
    writeFileSync(join(dir, 'lora-dev.jsonl'), jsonl(instructionRows(16, 50)));
    const sst2 = (file: string, n: number) =>
      jsonl(
        text(sharedPath('datasets', 'sst2', file))
          .split('\n')
          .slice(1, n + 1)
          // Only the text (before the label column); quoted CSV cells keep their commas out of it.
          .map((line) => ({
            text: line.startsWith('"')
              ? line.slice(1, line.lastIndexOf('"'))
              : line.slice(0, line.lastIndexOf(',')),
          })),
      );
    writeFileSync(join(dir, 'text-train.jsonl'), sst2('train.csv', 48));
    writeFileSync(join(dir, 'text-dev.jsonl'), sst2('dev.csv', 16));

    // The adapter the LoRA run continues: PEFT's own initial values (B = 0), in both trainers.
    const adapter = join(dir, 'init-adapter');
    runPythonStack(
      `import json, sys, torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
d = json.load(sys.stdin)
torch.manual_seed(0)
base = AutoModelForCausalLM.from_pretrained(d["model"])
config = LoraConfig(task_type="CAUSAL_LM", r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["c_attn"], fan_in_fan_out=True)
get_peft_model(base, config).save_pretrained(d["adapter"])
print("{}")`,
      { model, adapter },
    );

    cases.instruction = {
      name: 'instruction data, completion_only_loss, padded rows',
      kind: 'instruction',
      train: join(dir, 'instruction-train.jsonl'),
      validation: join(dir, 'instruction-dev.jsonl'),
      flags: ['--epochs', '2', '--lr', '1e-3', '--batch-size', '32', '--block-size', '48'],
      blockSize: 48,
      seed: 5,
    };
    cases.text = {
      name: 'plain text packed, LoRA',
      kind: 'text',
      train: join(dir, 'text-train.jsonl'),
      validation: join(dir, 'text-dev.jsonl'),
      flags: [
        ...['--epochs', '2', '--lr', '3e-3', '--batch-size', '64', '--block-size', '32'],
        ...['--mode', 'lora', '--adapter', adapter],
      ],
      blockSize: 32,
      seed: 5,
    };
    // assistant_only_loss is the default for chat data; every row fits in the block (the longest has 84 tokens).
    cases.chat = {
      name: 'chat data through ChatML, assistant_only_loss, padded rows',
      kind: 'chat',
      train: join(dir, 'chat-train.jsonl'),
      validation: join(dir, 'chat-dev.jsonl'),
      flags: ['--epochs', '2', '--lr', '1e-3', '--batch-size', '12', '--block-size', '96'],
      blockSize: 96,
      seed: 5,
    };
    // PEFT's default r and alpha on the default targets, without adapter dropout: only lora_A's draw differs.
    for (const seed of NEW_LORA_SEEDS)
      cases[newLoraKey(seed)] = {
        name: `instruction data, new LoRA adapters, seed ${seed}`,
        kind: 'instruction',
        train: join(dir, 'lora-train.jsonl'),
        validation: join(dir, 'lora-dev.jsonl'),
        flags: [
          ...['--epochs', '6', '--lr', '5e-3', '--batch-size', '8', '--block-size', '48'],
          ...['--mode', 'lora', '--lora-dropout', '0'],
        ],
        blockSize: 48,
        seed,
      };
    // The WebTune runs side by side, then the projects side by side. One wasm thread a run: there are more runs
    // than cores, and threads beyond the cores only wait on each other (the test took half as long again).
    await Promise.all(
      Object.entries(cases).map(async ([key, c]) => {
        const out = join(dir, `run-${key}`);
        const project = join(dir, `project-${key}`);
        const train = await runCli(
          'train',
          [
            ...['--data', c.train, '--validation', c.validation, '--model', model, '--out', out],
            ...['--project', project, ...c.flags, '--eval-strategy', 'no', '--logging-steps', '1'],
            ...['--seed', String(c.seed), '--backend', 'wasm'],
          ],
          { WEBTUNE_WASM_THREADS: '1' },
        );
        runs[key] = { out, project, train };
      }),
    );
    await Promise.all(
      Object.values(runs).map(async (run) => {
        run.python = await runProject(run.project);
      }),
    );
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains in WebTune and in the Trainer, each printing its final evaluation last', () => {
    for (const [key, run] of Object.entries(runs)) {
      expect(run.train.code, `${key}: ${errorLines(run.train.stderr).join('\n')}`).toBe(0);
      expect(run.python?.status, `${key}: ${run.python?.stderr.slice(-3000)}`).toBe(0);
      expect(Object.keys(run.python!.final)).toEqual(expect.arrayContaining(['eval_loss', 'perplexity']));
    }
    // Instruction and chat data with validation rows: BLEU and ROUGE-L of greedy completions, as WebTune reports.
    for (const [key, c] of Object.entries(cases))
      if (c.kind === 'text') expect(Object.keys(runs[key]!.python!.final), key).not.toContain('eval_bleu');
      else
        expect(Object.keys(runs[key]!.python!.final), key).toEqual(
          expect.arrayContaining(['eval_bleu', 'eval_rougeL']),
        );
    // gpt2-tiny-lm has no chat template: WebTune added ChatML (tokens, eos, 50304 embedding rows), and so does the
    // project, saving it with its model.
    expect(runs.chat!.train.stderr).toContain('has no chat template: ChatML was added');
    expect(runs.chat!.train.stderr).toContain('resized from 50257 to 50304 rows');
    expect(runs.chat!.train.stderr).toContain('assistant_only_loss true');
    expect(runs.chat!.train.stderr).not.toContain('longer than');
    expect(text(join(runs.chat!.project, 'train.py'))).toContain('add_chatml(tokenizer)');
    expect(text(join(runs.chat!.project, 'output', 'chat_template.jinja'))).toBe(
      text(join(runs.chat!.out, 'chat_template.jinja')),
    );
    for (const folder of [runs.chat!.out, join(runs.chat!.project, 'output')]) {
      expect(json(join(folder, 'config.json')), folder).toMatchObject({
        vocab_size: 50304,
        eos_token_id: 50258,
      });
      expect(json(join(folder, 'generation_config.json')), folder).toMatchObject({ eos_token_id: 50258 });
    }
    // Each new-adapter project trains with its run's seed.
    for (const seed of NEW_LORA_SEEDS)
      expect(text(join(runs[newLoraKey(seed)]!.project, 'train.py'))).toContain(`    seed=${seed},\n`);
  });

  it('makes exactly WebTune’s examples: the same ids and -100 labels, packed, padded or chat', async () => {
    const ours = {
      instruction: await webtuneExamples(cases.instruction!),
      text: await webtuneExamples(cases.text!),
      chat: await webtuneExamples(cases.chat!),
    };
    // Chat data through the llama fixture's own template and through the ChatML WebTune gives GPT-2: projects
    // made by the core for those rows (no training needed to compare examples).
    const chats = await Promise.all(
      [
        { name: 'llama', fixture: sharedModelDir('webtune/tiny-random-llama'), added: false },
        { name: 'chatml', fixture: model, added: true },
      ].map(async (c) => ({ ...c, ...(await chatProject(c.name, c.fixture, c.added)) })),
    );
    const theirs = projectExamples([
      { project: runs.instruction!.project, tokenizer: model, chatml: false },
      { project: runs.text!.project, tokenizer: model, chatml: false },
      { project: runs.chat!.project, tokenizer: model, chatml: true },
      ...chats.map((c) => ({ project: c.project, tokenizer: c.fixture, chatml: c.added })),
    ]);
    expect(theirs[0]).toEqual({
      train: asColumns(ours.instruction.train),
      validation: asColumns(ours.instruction.validation),
    });
    expect(theirs[1]).toEqual({
      train: asColumns(ours.text.train),
      validation: asColumns(ours.text.validation),
    });
    expect(theirs[2]).toEqual({
      train: asColumns(ours.chat.train),
      validation: asColumns(ours.chat.validation),
    });
    chats.forEach((c, i) => expect(theirs[3 + i]!.train, c.name).toEqual(asColumns(c.examples)));
    // The masking is there to be checked: prompts and user turns without loss, packed blocks full.
    expect(ours.instruction.train.every((e) => e.labels[0] === -100 && e.labels.at(-1) === 50256)).toBe(true);
    expect(ours.text.train.every((e) => e.inputIds.length === 32 && !e.labels.includes(-100))).toBe(true);
    for (const examples of [ours.chat.train, ...chats.map((c) => c.examples)])
      expect(examples.every((e) => e.labels.includes(-100) && e.labels.some((l) => l !== -100))).toBe(true);
  });

  it('reaches WebTune’s perplexity on the validation rows within 2 %', () => {
    for (const key of SAME_TRAJECTORY) {
      const run = runs[key]!;
      const webtune = json(join(run.out, 'metrics.json')).perplexity as number;
      const trainer = run.python!.final.perplexity!;
      console.log(`${key}: perplexity WebTune ${webtune.toFixed(3)}, Trainer ${trainer.toFixed(3)}`);
      expect(Math.abs(trainer - webtune) / webtune, key).toBeLessThan(0.02);
    }
    // The same weights up to rounding continue the prompts the same greedy way: the same BLEU and ROUGE-L.
    for (const key of ['instruction', 'chat']) {
      const metrics = json(join(runs[key]!.out, 'metrics.json'));
      const final = runs[key]!.python!.final;
      console.log(
        `${key}: BLEU WebTune ${metrics.eval_bleu}, Trainer ${final.eval_bleu}; ` +
          `ROUGE-L WebTune ${metrics.eval_rougeL}, Trainer ${final.eval_rougeL}`,
      );
      expect(final.eval_bleu, key).toBeCloseTo(metrics.eval_bleu, 6);
      expect(final.eval_rougeL, key).toBeCloseTo(metrics.eval_rougeL, 6);
    }
  });

  it('starts new LoRA adapters as PEFT does: the seed means of the perplexity agree', () => {
    const perplexities = NEW_LORA_SEEDS.map((seed) => {
      const run = runs[newLoraKey(seed)]!;
      const webtune = json(join(run.out, 'metrics.json')).perplexity as number;
      const trainer = run.python!.final.perplexity!;
      console.log(
        `new LoRA, seed ${seed}: perplexity WebTune ${webtune.toFixed(2)}, Trainer ${trainer.toFixed(2)}`,
      );
      return { webtune, trainer };
    });
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const webtune = mean(perplexities.map((p) => p.webtune));
    const trainer = mean(perplexities.map((p) => p.trainer));
    console.log(
      `new LoRA, seed means: perplexity WebTune ${webtune.toFixed(2)}, Trainer ${trainer.toFixed(2)}`,
    );
    expect(Math.abs(trainer - webtune) / webtune).toBeLessThan(NEW_LORA_TOLERANCE);
  });

  it('saves a folder WebTune loads, with the Trainer’s own eval loss', async () => {
    await startBackend('wasm');
    // One new-adapter run stands for the three (the same export as the others' seeds).
    const newLora = newLoraKey(NEW_LORA_SEEDS[0]!);
    for (const key of [...SAME_TRAJECTORY, newLora]) {
      const run = runs[key]!;
      const saved = await loadModel(join(run.project, 'output'), undefined, requireDecoder);
      const lm = buildCausalLM(saved.config as HFConfig, saved.weights, { seed: 0, modelName: key });
      try {
        const { validation } = await webtuneExamples(cases[key]!);
        const loss = await causalLmEvalLoss(lm, validation, 8);
        expect(Math.abs(loss - run.python!.final.eval_loss!), key).toBeLessThan(1e-3);
      } finally {
        lm.dispose();
      }
    }
    for (const key of ['text', newLora])
      expect(json(join(runs[key]!.project, 'output', 'adapter', 'adapter_config.json')).peft_type, key).toBe(
        'LORA',
      );
  });

  it('passes ruff', () => {
    for (const [key, run] of Object.entries(runs)) {
      const files = ['train.py', 'lm_examples.py', 'model_card.py'];
      if (cases[key]!.kind !== 'text') files.push('generation_metrics.py');
      const ruff = spawnSync(join(dirname(PYTHON_STACK), 'ruff'), ['check', '--no-cache', ...files], {
        cwd: run.project,
        encoding: 'utf8',
      });
      expect(ruff.status, `${ruff.stdout}${ruff.stderr}`).toBe(0);
    }
  });

  it('is written the same by npm run export --run for the finished run folder', async () => {
    const run = runs.instruction!;
    const again = join(dir, 'project-again');
    const result = await runCli('export', ['--run', run.out, '--project', again]);
    expect(result.code, result.stderr).toBe(0);
    for (const name of [
      'train.py',
      'lm_examples.py',
      'generation_metrics.py',
      'README.md',
      'requirements.txt',
      'data/train.jsonl',
      'data/validation.jsonl',
    ])
      expect(text(join(again, name)), name).toBe(text(join(run.project, name)));
  });
});

const TINY_CONFIG = { vocab_size: 10, max_position_embeddings: 64 };

describe('the generated causal-LM project, as text', () => {
  const project = (over: Partial<CausalLmProjectInputs> = {}) => {
    const files = buildTrainingProject({
      task: 'causal-lm',
      runName: 'run',
      baseModel: {
        hubId: 'org/llama',
        config: { ...TINY_CONFIG, model_type: 'llama', architectures: ['LlamaForCausalLM'] },
      },
      kind: 'text',
      train: [{ kind: 'text', text: 'a' }],
      validation: [{ kind: 'text', text: 'b' }],
      options: { block_size: 16, packing: true, completion_only_loss: true, assistant_only_loss: true },
      eosTokenId: 2,
      eosTokenIds: [2],
      padTokenId: 2,
      contextLength: 64,
      chatTemplateAdded: false,
      args: resolveTrainingArguments({}),
      includeData: true,
      ...over,
    });
    return (name: string) => {
      const bytes = files.get(name);
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    };
  };

  it('holds only what the run used', () => {
    const packed = project();
    expect(packed('train.py')).toContain('data_collator=default_data_collator,');
    // LlamaForCausalLM names its loss type itself; only other classes get the line.
    expect(packed('train.py')).not.toContain('loss_type');
    expect(packed('train.py')).not.toMatch(/peft|generation_metrics|CHATML|EarlyStopping/);
    expect(packed('lm_examples.py')).not.toMatch(/torch|PAD_TOKEN_ID|def collate/);
    expect(packed('generation_metrics.py')).toBeUndefined();
    expect(packed('requirements.txt')).not.toMatch(/peft|sacrebleu/);
    const padded = project({
      kind: 'instruction',
      train: [{ kind: 'instruction', prompt: 'p', completion: 'c' }],
      validation: [{ kind: 'instruction', prompt: 'q', completion: 'd' }],
      options: { block_size: 16, packing: false, completion_only_loss: false, assistant_only_loss: true },
    });
    expect(padded('lm_examples.py')).toContain('def collate(examples):');
    expect(padded('lm_examples.py')).not.toContain('prompt_length');
    expect(padded('requirements.txt')).toContain('sacrebleu==');
    expect(padded('data/train.jsonl')).toBe('{"prompt":"p","completion":"c"}\n');
    const chat = project({
      baseModel: {
        hubId: 'org/gpt2',
        config: { ...TINY_CONFIG, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] },
      },
      kind: 'chat',
      train: [{ kind: 'chat', messages: [{ role: 'assistant', content: 'x' }] }],
      validation: [],
      chatTemplateAdded: true,
    });
    expect(chat('train.py')).toContain('add_chatml(tokenizer)');
    expect(chat('train.py')).toContain('pad_to_multiple_of=64, mean_resizing=True');
    expect(chat('train.py')).toContain('model.loss_type = "ForCausalLM"');
    expect(chat('train.py')).toContain('final = trainer.evaluate(examples["train"])');
    expect(chat('lm_examples.py')).toContain('tokenizer.add_tokens(CHATML_TOKENS, special_tokens=True)');
    // A conversation ends with the template's <|im_end|>: no EOS appended.
    expect(chat('lm_examples.py')).not.toContain('EOS_TOKEN_ID');
    // No validation rows: no prompts to generate from, so no generation metrics.
    expect(chat('generation_metrics.py')).toBeUndefined();
  });

  it('leaves the rows out when asked, and says what data/ must hold', () => {
    const bare = project({ includeData: false });
    expect(bare('data/train.jsonl')).toBeUndefined();
    expect(bare('README.md')).toContain('exported without its data');
    expect(bare('README.md')).toContain('{"text": "a text to learn from"}');
  });
});
