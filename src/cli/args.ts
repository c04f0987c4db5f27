// Command-line arguments of `npm run train` and `npm run predict`: the short names of the issue (--lr, --epochs,
// --batch-size, …) and transformers' TrainingArguments names (--learning_rate, --num_train_epochs, …), each
// accepted with dashes or underscores, as `--name value` or `--name=value`. A problem gives one clear line.
import { BACKENDS, type BackendRequest } from '../core/backend-info';
import {
  EVAL_STRATEGIES,
  resolveTrainingArguments,
  TRAINING_MODES,
  type TrainingArguments,
} from '../core/train/arguments';
import { SCHEDULER_TYPES } from '../core/train/schedules';

/** A bad, missing or unknown argument; the message is one line meant for the terminal. */
export class CliArgumentError extends Error {
  override name = 'CliArgumentError';
}

type Kind =
  | { type: 'string' }
  | { type: 'int'; min: number }
  | { type: 'float'; min: number; exclusiveMin?: boolean; max?: number; exclusiveMax?: boolean }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] };

interface Spec {
  /** The name used in messages and in the parsed record (the transformers name where there is one). */
  key: string;
  aliases?: string[];
  kind: Kind;
}

const str: Kind = { type: 'string' };
const bool: Kind = { type: 'bool' };
const posInt: Kind = { type: 'int', min: 1 };
const nonNegInt: Kind = { type: 'int', min: 0 };
const posFloat: Kind = { type: 'float', min: 0, exclusiveMin: true };
const nonNegFloat: Kind = { type: 'float', min: 0 };
const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;

const COMMON: Spec[] = [
  { key: 'model', kind: str },
  { key: 'data', kind: str },
  { key: 'hub', kind: str },
  { key: 'backend', kind: { type: 'enum', values: BACKEND_CHOICES } },
  { key: 'text_column', kind: str },
  { key: 'text_pair_column', kind: str },
  { key: 'max_length', aliases: ['max_seq_length'], kind: posInt },
  { key: 'help', aliases: ['h'], kind: bool },
];

const TRAIN_SPECS: Spec[] = [
  ...COMMON,
  { key: 'validation', kind: str },
  { key: 'out', aliases: ['output_dir'], kind: str },
  { key: 'label_column', kind: str },
  { key: 'resume', kind: bool },
  { key: 'learning_rate', aliases: ['lr'], kind: posFloat },
  { key: 'num_train_epochs', aliases: ['epochs'], kind: posFloat },
  { key: 'per_device_train_batch_size', aliases: ['batch_size'], kind: posInt },
  { key: 'per_device_eval_batch_size', aliases: ['eval_batch_size'], kind: posInt },
  { key: 'gradient_accumulation_steps', aliases: ['grad_accum'], kind: posInt },
  { key: 'warmup_ratio', kind: { type: 'float', min: 0, max: 1 } },
  { key: 'warmup_steps', kind: nonNegInt },
  { key: 'weight_decay', kind: nonNegFloat },
  { key: 'max_grad_norm', kind: nonNegFloat },
  { key: 'lr_scheduler_type', aliases: ['scheduler'], kind: { type: 'enum', values: SCHEDULER_TYPES } },
  {
    key: 'label_smoothing_factor',
    aliases: ['label_smoothing'],
    kind: { type: 'float', min: 0, max: 1, exclusiveMax: true },
  },
  { key: 'seed', kind: nonNegInt },
  { key: 'eval_strategy', aliases: ['evaluation_strategy'], kind: { type: 'enum', values: EVAL_STRATEGIES } },
  { key: 'eval_steps', kind: posInt },
  { key: 'logging_steps', kind: posInt },
  { key: 'save_steps', kind: nonNegInt },
  { key: 'save_seconds', kind: nonNegFloat },
  { key: 'early_stopping_patience', kind: posInt },
  { key: 'early_stopping_threshold', kind: nonNegFloat },
  { key: 'metric_for_best_model', kind: str },
  { key: 'greater_is_better', kind: bool },
  { key: 'load_best_model_at_end', kind: bool },
  { key: 'group_by_length', kind: bool },
  { key: 'mode', kind: { type: 'enum', values: TRAINING_MODES } },
];

const PREDICT_SPECS: Spec[] = [
  ...COMMON,
  { key: 'out', kind: str },
  { key: 'logits', kind: bool },
  { key: 'batch_size', aliases: ['per_device_eval_batch_size'], kind: posInt },
];

/** The TrainingArguments fields the train command passes through to the trainer. */
const TRAINING_KEYS = new Set<string>([
  'learning_rate',
  'num_train_epochs',
  'per_device_train_batch_size',
  'per_device_eval_batch_size',
  'gradient_accumulation_steps',
  'warmup_ratio',
  'warmup_steps',
  'weight_decay',
  'max_grad_norm',
  'lr_scheduler_type',
  'label_smoothing_factor',
  'seed',
  'eval_strategy',
  'eval_steps',
  'logging_steps',
  'save_steps',
  'save_seconds',
  'early_stopping_patience',
  'early_stopping_threshold',
  'metric_for_best_model',
  'greater_is_better',
  'load_best_model_at_end',
  'group_by_length',
  'mode',
]);

export interface TrainCliOptions {
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
  /** Complete, validated training arguments: the given ones over transformers' defaults. */
  training: TrainingArguments;
}

export interface PredictCliOptions {
  model: string;
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

export type Parsed<T> = { help: true } | ({ help: false } & T);

/** Tokens longer than this are cut when none is given (BERT-family models' usual limit). */
export const DEFAULT_MAX_LENGTH = 128;

type Value = string | number | boolean;

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
  switch (kind.type) {
    case 'string':
      if (raw === '') throw new CliArgumentError(`${flag} needs a non-empty value`);
      return raw;
    case 'bool': {
      const v = raw.toLowerCase();
      if (['true', '1', 'yes'].includes(v)) return true;
      if (['false', '0', 'no'].includes(v)) return false;
      throw new CliArgumentError(`${flag} takes true or false, got "${raw}"`);
    }
    case 'enum':
      if (!kind.values.includes(raw))
        throw new CliArgumentError(`${flag} must be one of ${kind.values.join(', ')}; got "${raw}"`);
      return raw;
    case 'int': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n))
        throw new CliArgumentError(`${flag} takes a whole number, got "${raw}"`);
      if (n < kind.min) throw new CliArgumentError(`${flag} must be at least ${kind.min}, got ${raw}`);
      return n;
    }
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n))
        throw new CliArgumentError(`${flag} takes a number, got "${raw}"`);
      const low = kind.exclusiveMin ? n <= kind.min : n < kind.min;
      const high = kind.max !== undefined && (kind.exclusiveMax ? n >= kind.max : n > kind.max);
      if (low || high) {
        const lo = kind.exclusiveMin ? `> ${kind.min}` : `≥ ${kind.min}`;
        const hi =
          kind.max === undefined ? '' : kind.exclusiveMax ? ` and < ${kind.max}` : ` and ≤ ${kind.max}`;
        throw new CliArgumentError(`${flag} must be ${lo}${hi}, got ${raw}`);
      }
      return n;
    }
  }
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
  given.eval_strategy ??= validation ? 'epoch' : 'no';
  if (given.eval_strategy !== 'no' && !validation)
    throw new CliArgumentError(`--eval-strategy ${given.eval_strategy} needs --validation FILE`);
  let training: TrainingArguments;
  try {
    training = resolveTrainingArguments(given as Partial<TrainingArguments>);
  } catch (err) {
    throw new CliArgumentError((err as Error).message);
  }
  return {
    help: false,
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
    training,
  };
}

export function parsePredictArgs(argv: readonly string[]): Parsed<PredictCliOptions> {
  const values = parseFlags(argv, PREDICT_SPECS, 'predict');
  if (values.get('help') === true) return { help: true };
  return {
    help: false,
    model: required(values, 'model', 'predict', 'ID|DIR (a Hub model id or a local folder)'),
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

export const TRAIN_USAGE = `Usage: npm run train -- --data FILE --model ID|DIR --out DIR [options]

  --data FILE                 training data (csv, tsv, json, jsonl, parquet)
  --validation FILE           validation data (evaluated every epoch unless --eval-strategy says otherwise)
  --model ID|DIR              a Hub model id (through --hub for mirrors) or a local model folder
  --out DIR                   where the fine-tuned model and metrics.json go
  --text-column C  --text-pair-column C  --label-column C
  --max-length N              tokens per text (default ${DEFAULT_MAX_LENGTH})
  --backend auto|webgpu|wasm|cpu   --hub URL   --resume
Training (short name or the transformers name, dashes or underscores):
  --lr, --learning_rate X               --epochs, --num_train_epochs X
  --batch-size, --per_device_train_batch_size N   --eval-batch-size, --per_device_eval_batch_size N
  --gradient-accumulation-steps N       --warmup-ratio X   --warmup-steps N   --weight-decay X
  --max-grad-norm X   --lr-scheduler-type ${SCHEDULER_TYPES.join('|')}   --label-smoothing X   --seed N
  --eval-strategy ${EVAL_STRATEGIES.join('|')}   --eval-steps N   --logging-steps N   --save-steps N
  --save-seconds X (checkpoint after this many seconds of training too; default 60, 0: off)
  --early-stopping-patience N   --early-stopping-threshold X
  --metric-for-best-model NAME   --greater-is-better   --load-best-model-at-end   --group-by-length
  --mode ${TRAINING_MODES.join('|')}`;

export const PREDICT_USAGE = `Usage: npm run predict -- --model ID|DIR --data FILE --out FILE [options]

  --model ID|DIR      a Hub model id (through --hub for mirrors) or a local model folder
  --data FILE         the texts to classify
  --out FILE          the predictions CSV: the label and every class's probability per row
  --logits            write raw logits instead of probabilities
  --text-column C  --text-pair-column C  --max-length N  --batch-size N
  --backend auto|webgpu|wasm|cpu   --hub URL`;
