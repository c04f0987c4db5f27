// Command-line arguments of `npm run train` and `npm run predict`: the short names of the issue (--lr, --epochs,
// --batch-size, …) and transformers' TrainingArguments names (--learning_rate, --num_train_epochs, …), each
// accepted with dashes or underscores, as `--name value` or `--name=value`. A problem gives one clear line.
// The training flags, their ranges, defaults and help lines come from the training-argument table.
import { BACKENDS, type BackendRequest } from '../core/backend-info';
import {
  ARGUMENT_TABLE,
  argumentEntry,
  CAUSAL_LM_ENTRIES,
  cliKey,
  defaultDescription,
  defaultEvalStrategy,
  LORA_ENTRIES,
  parseArgumentText,
  TRAINER_ENTRIES,
  type ArgumentEntry,
  type ArgumentKind,
} from '../core/argument-table';
import { resolveTrainingArguments, type TrainingArguments } from '../core/train/arguments';
import type { LoraConfig } from '../core/lora/config';
import { LORA_EXPORT_KINDS, type LoraExportKind } from '../core/lora/export';
import { TASK_NAMES, type TaskName } from '../core/models/registry';
import type { CausalLmDataOptions } from '../core/train/causal-lm-examples';

/** A bad, missing or unknown argument; the message is one line meant for the terminal. */
export class CliArgumentError extends Error {
  override name = 'CliArgumentError';
}

type Kind = ArgumentKind;

interface Spec {
  /** The name used in messages and in the parsed record (the transformers name where there is one). */
  key: string;
  aliases?: string[];
  kind: Kind;
  /** May be given more than once (`--prompt A --prompt B`); its values are collected in order. */
  repeatable?: boolean;
}

const str: Kind = { type: 'string' };
const bool: Kind = { type: 'bool' };
const posInt: Kind = { type: 'int', min: 1 };
const nonNegInt: Kind = { type: 'int', min: 0 };
const posFloat: Kind = { type: 'float', min: 0, exclusiveMin: true };
const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;

/** What a LoRA run writes: the merged model, the PEFT adapter, or both (the merged model in --out, the adapter in --out/adapter). */
const EXPORT_KINDS = LORA_EXPORT_KINDS;

/** A training-argument table entry as a flag (module lists are split and checked by loraFlags). */
function tableSpec(entry: ArgumentEntry): Spec {
  return {
    key: cliKey(entry),
    ...(entry.cli.aliases ? { aliases: [...entry.cli.aliases] } : {}),
    kind: entry.kind.type === 'modules' ? str : entry.kind,
  };
}

const MAX_LENGTH = argumentEntry('max_length');

/** The LoRA flags (PEFT's names, --lora-r for r), the causal-LM data flags (TRL's) and the trainer's. */
const LORA_KEYS = LORA_ENTRIES.map(cliKey);
const CAUSAL_LM_KEYS = CAUSAL_LM_ENTRIES.map(cliKey) as (keyof CausalLmDataOptions)[];
/** The TrainingArguments fields the train command passes through to the trainer. */
const TRAINING_KEYS = new Set<string>(TRAINER_ENTRIES.map(cliKey));
/** Flags a causal LM does not take: the table's classification-only entries and the label columns. */
const NOT_CAUSAL_LM_KEYS = [
  'label_column',
  'text_pair_column',
  ...ARGUMENT_TABLE.filter((e) => !e.tasks.includes('causal-lm')).map(cliKey),
];

const COMMON: Spec[] = [
  { key: 'model', kind: str },
  { key: 'data', kind: str },
  { key: 'hub', kind: str },
  { key: 'backend', kind: { type: 'enum', values: BACKEND_CHOICES } },
  { key: 'text_column', kind: str },
  { key: 'text_pair_column', kind: str },
  tableSpec(MAX_LENGTH),
  { key: 'help', aliases: ['h'], kind: bool },
];

const TRAIN_SPECS: Spec[] = [
  ...COMMON,
  { key: 'task', kind: { type: 'enum', values: TASK_NAMES } },
  { key: 'validation', kind: str },
  { key: 'out', aliases: ['output_dir'], kind: str },
  { key: 'label_column', kind: str },
  { key: 'resume', kind: bool },
  { key: 'project', kind: str },
  { key: 'project_data', kind: bool },
  ...ARGUMENT_TABLE.filter((e) => e !== MAX_LENGTH).map(tableSpec),
  { key: 'adapter', kind: str },
  { key: 'export', kind: { type: 'enum', values: EXPORT_KINDS } },
];

/** The canonical keys of the train command's flags (the table's entries and the command's own). */
export const TRAIN_FLAG_KEYS: readonly string[] = TRAIN_SPECS.map((spec) => spec.key);

const PREDICT_SPECS: Spec[] = [
  ...COMMON,
  { key: 'adapter', kind: str },
  { key: 'out', kind: str },
  { key: 'logits', kind: bool },
  { key: 'batch_size', aliases: ['per_device_eval_batch_size'], kind: posInt },
];

const GENERATE_SPECS: Spec[] = [
  { key: 'model', kind: str },
  { key: 'adapter', kind: str },
  { key: 'hub', kind: str },
  { key: 'backend', kind: { type: 'enum', values: BACKEND_CHOICES } },
  { key: 'prompt', kind: str, repeatable: true },
  { key: 'max_new_tokens', kind: posInt },
  { key: 'do_sample', kind: bool },
  { key: 'temperature', kind: posFloat },
  { key: 'top_k', kind: nonNegInt },
  { key: 'top_p', kind: { type: 'float', min: 0, exclusiveMin: true, max: 1 } },
  { key: 'repetition_penalty', kind: posFloat },
  { key: 'seed', kind: nonNegInt },
  { key: 'chat', kind: bool },
  { key: 'json', kind: bool },
  { key: 'help', aliases: ['h'], kind: bool },
];

const EXPORT_SPECS: Spec[] = [
  { key: 'model', kind: str },
  { key: 'out', aliases: ['output_dir'], kind: str },
  { key: 'onnx', kind: bool },
  { key: 'adapter', kind: str },
  { key: 'hub', kind: str },
  { key: 'backend', kind: { type: 'enum', values: BACKEND_CHOICES } },
  { key: 'run', kind: str },
  { key: 'project', kind: str },
  { key: 'project_data', kind: bool },
  { key: 'help', aliases: ['h'], kind: bool },
];

export interface TrainCliOptions {
  /** Given with --task; otherwise what the model is (an encoder: sequence-classification, a decoder: causal-lm). */
  task?: TaskName;
  /** Causal LM: the data flags given (the rest defaults per kind of data and model, causal-lm-examples.ts). */
  causalLm: Partial<CausalLmDataOptions>;
  /** --max-length was given (a causal LM takes --block-size instead). */
  maxLengthGiven: boolean;
  data: string;
  validation?: string;
  model: string;
  out: string;
  backend: BackendRequest;
  hub?: string;
  textColumn?: string;
  textPairColumn?: string;
  labelColumn?: string;
  maxLength: number;
  resume: boolean;
  /** Also write the run as a Hugging Face Trainer project into this folder. */
  project?: string;
  /** Whether the project holds the run's rows (data/*.jsonl); default true. */
  projectData: boolean;
  /** Complete, validated training arguments: the given ones over transformers' defaults. */
  training: TrainingArguments;
  /** With --mode lora: the LoRA flags given (PEFT's defaults fill the rest, per architecture). */
  lora?: Partial<LoraConfig>;
  /** With --mode lora: a PEFT adapter (Hub id or folder) to continue training instead of new adapters. */
  adapter?: string;
  /** With --mode lora: what to write (default both). */
  export: LoraExportKind;
}

export interface PredictCliOptions {
  model: string;
  /** A PEFT LoRA adapter (Hub id or folder) applied to --model. */
  adapter?: string;
  data: string;
  out: string;
  logits: boolean;
  backend: BackendRequest;
  hub?: string;
  textColumn?: string;
  textPairColumn?: string;
  maxLength: number;
  batchSize: number;
}

export interface GenerateCliOptions {
  model: string;
  /** A PEFT LoRA adapter (Hub id or folder) applied to --model. */
  adapter?: string;
  hub?: string;
  backend: BackendRequest;
  prompts: string[];
  /** Only what was given; the rest comes from the model's generation_config.json and transformers' defaults. */
  maxNewTokens?: number;
  doSample?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  seed?: number;
  /** Wrap each prompt as a user message in the tokenizer's chat template (with the generation prompt). */
  chat: boolean;
  /** One JSON line per prompt instead of streamed text. */
  json: boolean;
}

/** `--model M --out DIR`: re-export a classifier; `--run DIR --project PDIR`: a run's Trainer project. */
export type ExportCliOptions = ModelExportOptions | ProjectExportOptions;

export interface ModelExportOptions {
  kind: 'model';
  model: string;
  out: string;
  /** Only what transformers.js needs (config, tokenizer, onnx/), without model.safetensors. */
  onnxOnly: boolean;
  /** A PEFT LoRA adapter (Hub id or folder) merged into the base before the export. */
  adapter?: string;
  backend: BackendRequest;
  hub?: string;
}

export interface ProjectExportOptions {
  kind: 'project';
  /** A finished run folder of npm run train. */
  run: string;
  project: string;
  projectData: boolean;
}

export type Parsed<T> = { help: true } | ({ help: false } & T);

/** Tokens longer than this are cut when none is given (BERT-family models' usual limit; the table's default). */
export const DEFAULT_MAX_LENGTH = MAX_LENGTH.default as number;

type Value = string | number | boolean | string[];

const canonical = (flag: string): string => flag.replace(/-/g, '_');
const shown = (key: string): string => `--${key.replace(/_/g, '-')}`;

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      row[j] = Math.min(up + 1, (row[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] as number;
}

function convert(flag: string, raw: string, kind: Kind): Value {
  const parsed = parseArgumentText(kind, raw);
  if (parsed.problem !== undefined) throw new CliArgumentError(`${flag} ${parsed.problem}`);
  return parsed.value;
}

/** Flags → values by canonical key; rejects unknown, repeated and value-less flags and stray words. */
function parseFlags(argv: readonly string[], specs: Spec[], command: string): Map<string, Value> {
  const byName = new Map<string, Spec>();
  for (const spec of specs) for (const name of [spec.key, ...(spec.aliases ?? [])]) byName.set(name, spec);
  const values = new Map<string, Value>();
  const givenAs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('-') || token === '-' || token === '--') {
      if (token === '--') continue; // `npm run x -- --flag` may pass the separator through
      throw new CliArgumentError(
        `Unexpected argument "${token}": ${command} takes only --flags (see --help)`,
      );
    }
    const body = token.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const flag = token.slice(0, token.length - body.length) + name;
    const spec = byName.get(canonical(name));
    if (!spec) {
      const names = [...byName.keys()];
      const near = names
        .map((n) => [n, editDistance(canonical(name), n)] as const)
        .sort((a, b) => a[1] - b[1])[0];
      const hint = near && near[1] <= 2 ? `; did you mean ${shown(near[0])}?` : ' (see --help)';
      throw new CliArgumentError(`Unknown argument ${flag} for ${command}${hint}`);
    }
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.kind.type === 'bool') {
      const next = argv[i + 1];
      raw = next !== undefined && /^(true|false|1|0|yes|no)$/i.test(next) ? (i++, next) : 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new CliArgumentError(`${flag} needs a value`);
      raw = next;
      i++;
    }
    if (spec.repeatable) {
      const list = (values.get(spec.key) as string[] | undefined) ?? [];
      list.push(convert(flag, raw, spec.kind) as string);
      values.set(spec.key, list);
      continue;
    }
    const previous = givenAs.get(spec.key);
    if (previous)
      throw new CliArgumentError(
        previous === flag ? `${flag} is given twice` : `${flag} is given twice (also as ${previous})`,
      );
    givenAs.set(spec.key, flag);
    values.set(spec.key, convert(flag, raw, spec.kind));
  }
  return values;
}

function required(values: Map<string, Value>, key: string, command: string, what: string): string {
  const v = values.get(key);
  if (v === undefined) throw new CliArgumentError(`${command} needs ${shown(key)} ${what}`);
  return v as string;
}

const optionalString = (values: Map<string, Value>, key: string): string | undefined =>
  values.get(key) as string | undefined;

export function parseTrainArgs(argv: readonly string[]): Parsed<TrainCliOptions> {
  const values = parseFlags(argv, TRAIN_SPECS, 'train');
  if (values.get('help') === true) return { help: true };
  const data = required(values, 'data', 'train', 'FILE (the training data)');
  const model = required(values, 'model', 'train', 'ID|DIR (a Hub model id or a local folder)');
  const out = required(values, 'out', 'train', 'DIR (where the fine-tuned model goes)');
  const validation = optionalString(values, 'validation');
  const given: Partial<Record<string, Value>> = {};
  for (const [k, v] of values) if (TRAINING_KEYS.has(k)) given[k] = v;
  given.eval_strategy ??= defaultEvalStrategy(validation !== undefined);
  if (given.eval_strategy !== 'no' && !validation)
    throw new CliArgumentError(`--eval-strategy ${given.eval_strategy} needs --validation FILE`);
  let training: TrainingArguments;
  try {
    training = resolveTrainingArguments(given as Partial<TrainingArguments>);
  } catch (err) {
    throw new CliArgumentError((err as Error).message);
  }
  const lora = training.mode === 'lora' ? loraFlags(values) : undefined;
  if (training.mode !== 'lora') {
    const stray = [...LORA_KEYS, 'adapter', 'export'].find((k) => values.has(k));
    if (stray) throw new CliArgumentError(`${shown(stray)} applies only with --mode lora`);
  }
  const task = values.get('task') as TaskName | undefined;
  const causalLm = Object.fromEntries(
    CAUSAL_LM_KEYS.filter((k) => values.has(k)).map((k) => [k, values.get(k)]),
  ) as Partial<CausalLmDataOptions>;
  if (task === 'sequence-classification') {
    const stray = CAUSAL_LM_KEYS.find((k) => values.has(k));
    if (stray) throw new CliArgumentError(`${shown(stray)} applies only with --task causal-lm`);
  }
  if (task === 'causal-lm') {
    const stray = NOT_CAUSAL_LM_KEYS.find((k) => values.has(k));
    if (stray)
      throw new CliArgumentError(
        `${shown(stray)} does not apply with --task causal-lm` +
          (stray === 'max_length' ? ' (use --block-size)' : ''),
      );
  }
  return {
    help: false,
    ...(task ? { task } : {}),
    causalLm,
    maxLengthGiven: values.has('max_length'),
    data,
    validation,
    model,
    out,
    backend: (values.get('backend') as BackendRequest | undefined) ?? 'auto',
    hub: optionalString(values, 'hub'),
    textColumn: optionalString(values, 'text_column'),
    textPairColumn: optionalString(values, 'text_pair_column'),
    labelColumn: optionalString(values, 'label_column'),
    maxLength: (values.get('max_length') as number | undefined) ?? DEFAULT_MAX_LENGTH,
    resume: values.get('resume') === true,
    project: optionalString(values, 'project'),
    projectData: values.get('project_data') !== false,
    training,
    ...(lora ? { lora } : {}),
    adapter: optionalString(values, 'adapter'),
    export: (values.get('export') as LoraExportKind | undefined) ?? 'both',
  };
}

/** The LoRA flags given, as LoraConfig fields; module lists are comma-separated (or "all-linear"). */
function loraFlags(values: Map<string, Value>): Partial<LoraConfig> {
  const list = (key: string): string[] | undefined => {
    const raw = values.get(key) as string | undefined;
    if (raw === undefined) return undefined;
    const names = raw
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n.length > 0);
    if (names.length === 0) throw new CliArgumentError(`${shown(key)} needs at least one module name`);
    return names;
  };
  const targets = list('lora_target_modules');
  const out: Partial<LoraConfig> = {
    r: values.get('lora_r') as number | undefined,
    lora_alpha: values.get('lora_alpha') as number | undefined,
    lora_dropout: values.get('lora_dropout') as number | undefined,
    target_modules: targets?.length === 1 && targets[0] === 'all-linear' ? 'all-linear' : targets,
    modules_to_save: list('modules_to_save'),
    use_rslora: values.get('use_rslora') as boolean | undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<LoraConfig>;
}

export function parsePredictArgs(argv: readonly string[]): Parsed<PredictCliOptions> {
  const values = parseFlags(argv, PREDICT_SPECS, 'predict');
  if (values.get('help') === true) return { help: true };
  return {
    help: false,
    model: required(values, 'model', 'predict', 'ID|DIR (a Hub model id or a local folder)'),
    adapter: optionalString(values, 'adapter'),
    data: required(values, 'data', 'predict', 'FILE (the texts to classify)'),
    out: required(values, 'out', 'predict', 'FILE (the predictions CSV to write)'),
    logits: values.get('logits') === true,
    backend: (values.get('backend') as BackendRequest | undefined) ?? 'auto',
    hub: optionalString(values, 'hub'),
    textColumn: optionalString(values, 'text_column'),
    textPairColumn: optionalString(values, 'text_pair_column'),
    maxLength: (values.get('max_length') as number | undefined) ?? DEFAULT_MAX_LENGTH,
    batchSize: (values.get('batch_size') as number | undefined) ?? 32,
  };
}

export function parseGenerateArgs(argv: readonly string[]): Parsed<GenerateCliOptions> {
  const values = parseFlags(argv, GENERATE_SPECS, 'generate');
  if (values.get('help') === true) return { help: true };
  const model = required(values, 'model', 'generate', 'ID|DIR (a Hub model id or a local folder)');
  const prompts = values.get('prompt') as string[] | undefined;
  if (!prompts?.length) throw new CliArgumentError('generate needs --prompt TEXT (once per prompt)');
  const doSample = values.get('do_sample') as boolean | undefined;
  if (doSample !== true) {
    const samplingOnly = ['temperature', 'top_k', 'top_p', 'seed'].filter((k) => values.has(k));
    if (samplingOnly.length) {
      throw new CliArgumentError(
        `${samplingOnly.map(shown).join(', ')} only apply when sampling: add --do-sample (greedy decoding is the default)`,
      );
    }
  }
  const num = (key: string) => values.get(key) as number | undefined;
  return {
    help: false,
    model,
    adapter: optionalString(values, 'adapter'),
    hub: optionalString(values, 'hub'),
    backend: (values.get('backend') as BackendRequest | undefined) ?? 'auto',
    prompts,
    maxNewTokens: num('max_new_tokens'),
    doSample,
    temperature: num('temperature'),
    topK: num('top_k'),
    topP: num('top_p'),
    repetitionPenalty: num('repetition_penalty'),
    seed: num('seed'),
    chat: values.get('chat') === true,
    json: values.get('json') === true,
  };
}

export const GENERATE_USAGE = `Usage: npm run generate -- --model ID|DIR --prompt TEXT [--prompt TEXT …] [options]

  --model ID|DIR          a decoder (GPT-2, Llama, Qwen2): a Hub model id (through --hub for mirrors) or a folder
  --adapter ID|DIR        a PEFT LoRA adapter (Hub id or folder) applied to --model
  --prompt TEXT           a prompt; give it again for more (generated together as one left-padded batch)
  --max-new-tokens N      new tokens at most (default: the model's generation_config.json, else 20)
  --do-sample             sample instead of greedy decoding, with:
    --temperature T  --top-k K  --top-p P  --seed S   (transformers' semantics; a seed repeats the text)
  --repetition-penalty X  > 1 makes repeated tokens less likely (greedy or sampled)
  --chat                  format each prompt as a user message with the tokenizer's chat template
  --json                  one line per prompt: {"prompt", "token_ids" (the new ids), "text"}
  --backend auto|webgpu|wasm|cpu   --hub URL`;

export function parseExportArgs(argv: readonly string[]): Parsed<ExportCliOptions> {
  const values = parseFlags(argv, EXPORT_SPECS, 'export');
  if (values.get('help') === true) return { help: true };
  if (values.has('run') || values.has('project')) {
    const other = ['model', 'out', 'onnx', 'adapter', 'hub', 'backend'].filter((k) => values.has(k));
    if (other.length > 0)
      throw new CliArgumentError(
        `export --run writes a training project; ${other.map(shown).join(', ')} belong to export --model (see --help)`,
      );
    return {
      help: false,
      kind: 'project',
      run: required(values, 'run', 'export', 'DIR (a finished run folder of npm run train)'),
      project: required(values, 'project', 'export', 'DIR (where the training project goes)'),
      projectData: values.get('project_data') !== false,
    };
  }
  if (values.has('project_data'))
    throw new CliArgumentError('--project-data belongs to export --run DIR --project DIR (see --help)');
  return {
    help: false,
    kind: 'model',
    model: required(values, 'model', 'export', 'ID|DIR (a Hub model id or a local folder)'),
    out: required(values, 'out', 'export', 'DIR (the folder to write)'),
    onnxOnly: values.get('onnx') === true,
    adapter: optionalString(values, 'adapter'),
    backend: (values.get('backend') as BackendRequest | undefined) ?? 'cpu',
    hub: optionalString(values, 'hub'),
  };
}

/** The flag's spellings in --help: short names, then the transformers name as it is written in Python. */
function flagNames(entry: ArgumentEntry): string {
  const key = cliKey(entry);
  const main = entry.source === 'TrainingArguments' && entry.cli.aliases ? `--${key}` : shown(key);
  return [main, ...(entry.cli.aliases ?? []).map(shown)].join(', ');
}

/** One --help entry per table entry: the flag, its help and default, wrapped under a hanging indent. */
export function usageLines(entries: readonly ArgumentEntry[]): string {
  const column = 40;
  const width = 112;
  return entries
    .map((entry) => {
      const head = `  ${flagNames(entry)}${entry.cli.placeholder ? ` ${entry.cli.placeholder}` : ''}`;
      const shownDefault = defaultDescription(entry);
      const words = `${entry.help}${shownDefault !== undefined ? ` (default: ${shownDefault})` : ''}`.split(
        ' ',
      );
      const lines: string[] = [];
      let line = head.length < column - 1 ? head.padEnd(column) : `${head}\n${' '.repeat(column)}`;
      let lineStart = line.lastIndexOf('\n') + 1;
      for (const word of words) {
        if (line.length - lineStart + word.length > width && line.length - lineStart > column) {
          lines.push(line.trimEnd());
          line = ' '.repeat(column);
          lineStart = 0;
        }
        line += `${word} `;
      }
      lines.push(line.trimEnd());
      return lines.join('\n');
    })
    .join('\n');
}

const inGroup = (entries: readonly ArgumentEntry[]) => entries.filter((e) => e !== MAX_LENGTH);

export const TRAIN_USAGE = `Usage: npm run train -- --data FILE --model ID|DIR --out DIR [options]

  --task ${TASK_NAMES.join('|')}   default: what the model is (an encoder
                              classifies, a decoder (GPT-2, Llama, Qwen2) is fine-tuned as a language model;
                              --task sequence-classification makes a decoder a *ForSequenceClassification)
  --data FILE|DIR             training data (csv, tsv, json, jsonl, parquet, txt; a causal LM also takes a
                              folder of .txt files, one document per file)
  --validation FILE|DIR       validation data (evaluated every epoch unless --eval-strategy says otherwise)
  --model ID|DIR              a Hub model id (through --hub for mirrors) or a local model folder
  --out DIR                   where the fine-tuned model and metrics.json go
  --text-column C  --text-pair-column C  --label-column C
  --backend auto|webgpu|wasm|cpu   --hub URL   --resume
  --project DIR               also write the run as a Hugging Face Trainer project (train.py, data/, …)
  --project-data false        leave the rows out of the project (README.md describes what data/ needs)
${usageLines([MAX_LENGTH])}
Training (short name or the transformers name, dashes or underscores; a flag without a value means true):
${usageLines(inGroup(TRAINER_ENTRIES))}
Causal LM (--task causal-lm; TRL's names): the data is plain text (a 'text' column, a TXT file's lines, or a
folder's .txt files, each file's whole text one document as datasets' sample_by="document" reads it, in name
order), instruction data ('prompt' + 'completion', or 'instruction' / 'input' / 'output') or chat (JSONL 'messages')
${usageLines(CAUSAL_LM_ENTRIES)}
LoRA (--mode lora; PEFT's names and defaults):
${usageLines(LORA_ENTRIES)}
  --adapter ID|DIR (continue training a PEFT adapter; its adapter_config.json replaces the flags above)
  --export adapter|merged|both (default both: the merged model in --out, the PEFT adapter in --out/adapter;
                                adapter: --out is the adapter folder)`;

export const PREDICT_USAGE = `Usage: npm run predict -- --model ID|DIR --data FILE --out FILE [options]

  --model ID|DIR      a Hub model id (through --hub for mirrors) or a local model folder
  --adapter ID|DIR    a PEFT LoRA adapter (Hub id or folder) applied to --model
  --data FILE         the texts to classify
  --out FILE          the predictions CSV: the label and every class's probability per row
  --logits            write raw logits instead of probabilities
  --text-column C  --text-pair-column C  --max-length N  --batch-size N
  --backend auto|webgpu|wasm|cpu   --hub URL`;

export const EXPORT_USAGE = `Usage: npm run export -- --model ID|DIR --out DIR [--onnx] [--adapter ID|DIR]
       npm run export -- --run DIR --project DIR [--project-data false]

Re-exports a sequence classifier (BERT, DistilBERT, RoBERTa; fine-tuned here or anywhere) as the folder the
app downloads: config.json, model.safetensors, the tokenizer files, onnx/model.onnx (float32) and
onnx/model_quantized.onnx (8-bit), which transformers.js and ONNX Runtime load.

  --model ID|DIR      a Hub model id (through --hub for mirrors) or a local model folder
  --out DIR           the folder to write (created; files of the same names are replaced)
  --onnx              only what transformers.js needs: config.json, the tokenizer files and onnx/
  --adapter ID|DIR    a PEFT LoRA adapter of --model, merged in (W + scale·B·A) before the export
  --backend auto|webgpu|wasm|cpu (default cpu: the weights are only read)   --hub URL

Or writes a finished run of npm run train as a Hugging Face Trainer project:

  --run DIR              a finished run folder of npm run train (its --out)
  --project DIR          where the project goes: train.py, data/, requirements.txt, accelerate_config.yaml, …
  --project-data false   leave the rows out of the project (README.md describes what data/ needs)`;
