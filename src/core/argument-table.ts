// The one table of training arguments: each under its library's name (transformers' TrainingArguments, TRL's
// SFTConfig, PEFT's LoraConfig), with its type, WebTune's default, a human label, help text, where it applies
// and its valid range. The CLI's parser and --help, the app's Train form, the trainer's defaults and the
// export's training_args.json all read it, so a default or a range is written down once.
// No React, no tensors: the page, the worker and Node import it alike.
import type { TaskName } from './models/registry';
import { SCHEDULER_TYPES } from './train/schedules';

export const TRAINING_MODES = ['full', 'head', 'frozen-embeddings', 'lora'] as const;
/**
 * full: every weight; head: only the classification head (encoder frozen); frozen-embeddings: all but
 * embeddings; lora: only the LoRA adapters attached to the model (core/lora) and the modules they save.
 */
export type TrainingMode = (typeof TRAINING_MODES)[number];
export const EVAL_STRATEGIES = ['no', 'epoch', 'steps'] as const;
export type EvalStrategy = (typeof EVAL_STRATEGIES)[number];

/** A value's type and valid range; `int` and `float` bounds are inclusive unless marked exclusive. */
export type ArgumentKind =
  | { type: 'string' }
  | { type: 'int'; min: number }
  | { type: 'float'; min: number; exclusiveMin?: boolean; max?: number; exclusiveMax?: boolean }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  /** Comma-separated module names, or one of the keywords (LoRA's "all-linear"). */
  | { type: 'modules'; keywords: readonly string[] };

export type ArgumentValue = string | number | boolean;

/** Which library defines the name (and so the default WebTune follows unless `upstream` says otherwise). */
export type ArgumentSource =
  'TrainingArguments' | 'EarlyStoppingCallback' | 'SFTConfig' | 'LoraConfig' | 'tokenizer' | 'WebTune';

/** Where the app's form shows an entry: always, under "More settings", with mode lora, or for a causal LM. */
export type FormGroup = 'main' | 'more' | 'lora' | 'causal-lm';

export interface ArgumentEntry {
  /** The library's name: the key in TrainingArguments / LoraConfig / CausalLmDataOptions and training_args.json. */
  name: string;
  source: ArgumentSource;
  kind: ArgumentKind;
  /**
   * WebTune's default. Unset: the library's None (the argument is off or follows another one), or a value the
   * data or the model decides, which `defaultText` then describes.
   */
  default?: ArgumentValue;
  /** How the default is decided when it is not one value (shown in --help and the form's help). */
  defaultText?: string;
  /** The library's own default where WebTune's differs, and why (transformers is the reference). */
  upstream?: { default: ArgumentValue | null; why: string };
  /** The form's label; the accessible name is `label · name`, so automation finds a field by its name. */
  label: string;
  help: string;
  tasks: readonly TaskName[];
  /** Only with these training modes (LoRA's fields); all modes when absent. */
  modes?: readonly TrainingMode[];
  /** The key in training_args.json when it is not the name (the tokenizer's max_length is max_seq_length there). */
  exportName?: string;
  /** The CLI flag when it is not the name (PEFT's `r` is --lora-r), and its short spellings. */
  cli: { flag?: string; aliases?: readonly string[]; placeholder: string };
  /** Shown in the app's Train form, in this group; absent: CLI only. */
  form?: FormGroup;
  /** For a string entry the form shows as a choice: the choices per task. */
  formChoices?: Partial<Record<TaskName, readonly string[]>>;
}

const BOTH: readonly TaskName[] = ['sequence-classification', 'causal-lm'];
const CLASSIFICATION: readonly TaskName[] = ['sequence-classification'];
const CAUSAL_LM: readonly TaskName[] = ['causal-lm'];
const LORA: readonly TrainingMode[] = ['lora'];

const positiveInt: ArgumentKind = { type: 'int', min: 1 };
const nonNegativeInt: ArgumentKind = { type: 'int', min: 0 };
const positiveFloat: ArgumentKind = { type: 'float', min: 0, exclusiveMin: true };
const nonNegativeFloat: ArgumentKind = { type: 'float', min: 0 };
const bool: ArgumentKind = { type: 'bool' };

/** In form order within each group, and --help order. */
export const ARGUMENT_TABLE: readonly ArgumentEntry[] = [
  {
    name: 'mode',
    source: 'WebTune',
    kind: { type: 'enum', values: TRAINING_MODES },
    default: 'full',
    label: 'Training mode',
    help: 'What trains: full (every weight), head (the classifier only), frozen-embeddings, or lora (low-rank adapters, PEFT).',
    tasks: BOTH,
    // A causal LM has no new head to train alone (its lm_head is tied to the embeddings).
    formChoices: { 'causal-lm': ['full', 'frozen-embeddings', 'lora'] },
    cli: { placeholder: TRAINING_MODES.join('|') },
    form: 'main',
  },
  {
    name: 'learning_rate',
    source: 'TrainingArguments',
    kind: positiveFloat,
    default: 5e-5,
    label: 'Learning rate',
    help: 'Step size of AdamW; tiny models want 1e-4 to 5e-4, base-size ones 2e-5 to 5e-5, and LoRA about ten times more.',
    tasks: BOTH,
    cli: { aliases: ['lr'], placeholder: 'X' },
    form: 'main',
  },
  {
    name: 'num_train_epochs',
    source: 'TrainingArguments',
    kind: positiveFloat,
    default: 3,
    label: 'Epochs',
    help: 'Passes over the training set.',
    tasks: BOTH,
    cli: { aliases: ['epochs'], placeholder: 'X' },
    form: 'main',
  },
  {
    name: 'per_device_train_batch_size',
    source: 'TrainingArguments',
    kind: positiveInt,
    default: 8,
    label: 'Batch size',
    help: 'Examples per forward and backward pass; lower it when memory runs out.',
    tasks: BOTH,
    cli: { aliases: ['batch_size'], placeholder: 'N' },
    form: 'main',
  },
  {
    name: 'gradient_accumulation_steps',
    source: 'TrainingArguments',
    kind: positiveInt,
    default: 1,
    label: 'Gradient accumulation',
    help: 'Batches whose gradients are summed before one update: a larger batch in the same memory.',
    tasks: BOTH,
    cli: { aliases: ['grad_accum'], placeholder: 'N' },
    form: 'main',
  },
  {
    name: 'max_length',
    source: 'tokenizer',
    kind: positiveInt,
    default: 128,
    label: 'Max length',
    help: 'Tokens per text: longer ones are cut; shorter is faster.',
    tasks: CLASSIFICATION,
    exportName: 'max_seq_length',
    cli: { aliases: ['max_seq_length'], placeholder: 'N' },
    form: 'main',
  },
  // Causal LM data (TRL's SFTConfig names).
  {
    name: 'block_size',
    source: 'SFTConfig',
    kind: { type: 'int', min: 2 },
    defaultText: 'min(model positions, 512)',
    label: 'Block size',
    help: 'Tokens per packed block, and the longest unpacked example.',
    tasks: CAUSAL_LM,
    cli: { placeholder: 'N' },
    form: 'causal-lm',
  },
  {
    name: 'packing',
    source: 'SFTConfig',
    kind: bool,
    defaultText: 'true for plain text, false for instruction and chat data',
    upstream: { default: false, why: "the issue packs plain text as transformers' run_clm does" },
    label: 'Packing',
    help: 'Join the texts with EOS and cut them into blocks of block_size (else one padded example per row).',
    tasks: CAUSAL_LM,
    cli: { placeholder: 'true|false' },
    form: 'causal-lm',
  },
  {
    name: 'completion_only_loss',
    source: 'SFTConfig',
    kind: bool,
    default: true,
    label: 'Loss on completions only',
    help: 'Instruction data: the loss counts only the completion tokens, not the prompt.',
    tasks: CAUSAL_LM,
    cli: { placeholder: 'true|false' },
    form: 'causal-lm',
  },
  {
    name: 'assistant_only_loss',
    source: 'SFTConfig',
    kind: bool,
    default: true,
    upstream: {
      default: false,
      why: 'the issue asks for loss on the assistant turns by default; TRL needs a template with generation markers for it',
    },
    label: 'Loss on assistant turns only',
    help: 'Chat data: the loss counts only the assistant turns.',
    tasks: CAUSAL_LM,
    cli: { placeholder: 'true|false' },
    form: 'causal-lm',
  },
  // The schedule, regularisation and evaluation (transformers' TrainingArguments).
  {
    name: 'per_device_eval_batch_size',
    source: 'TrainingArguments',
    kind: positiveInt,
    default: 8,
    label: 'Evaluation batch size',
    help: 'Examples per forward pass during evaluation.',
    tasks: BOTH,
    cli: { aliases: ['eval_batch_size'], placeholder: 'N' },
    form: 'more',
  },
  {
    name: 'warmup_ratio',
    source: 'TrainingArguments',
    kind: { type: 'float', min: 0, max: 1 },
    default: 0,
    label: 'Warmup ratio',
    help: 'Share of the steps over which the learning rate rises from 0 to its value.',
    tasks: BOTH,
    cli: { placeholder: 'X' },
    form: 'more',
  },
  {
    name: 'warmup_steps',
    source: 'TrainingArguments',
    kind: nonNegativeInt,
    default: 0,
    label: 'Warmup steps',
    help: 'Steps of warmup; when above 0 it replaces warmup_ratio.',
    tasks: BOTH,
    cli: { placeholder: 'N' },
  },
  {
    name: 'lr_scheduler_type',
    source: 'TrainingArguments',
    kind: { type: 'enum', values: SCHEDULER_TYPES },
    default: 'linear',
    label: 'Schedule',
    help: 'How the learning rate changes after the warmup.',
    tasks: BOTH,
    cli: { aliases: ['scheduler'], placeholder: SCHEDULER_TYPES.join('|') },
    form: 'more',
  },
  {
    name: 'weight_decay',
    source: 'TrainingArguments',
    kind: nonNegativeFloat,
    default: 0,
    label: 'Weight decay',
    help: 'Pulls weights towards zero each step (decoupled, as AdamW); helps against overfitting.',
    tasks: BOTH,
    cli: { placeholder: 'X' },
    form: 'more',
  },
  {
    name: 'max_grad_norm',
    source: 'TrainingArguments',
    kind: nonNegativeFloat,
    default: 1,
    label: 'Gradient clipping',
    help: 'Gradients are scaled down when their global norm exceeds this (0: no clipping).',
    tasks: BOTH,
    cli: { placeholder: 'X' },
    form: 'more',
  },
  {
    name: 'label_smoothing_factor',
    source: 'TrainingArguments',
    kind: { type: 'float', min: 0, max: 1, exclusiveMax: true },
    default: 0,
    label: 'Label smoothing',
    help: 'Spreads this share of each target over all classes; makes the model less over-confident.',
    tasks: CLASSIFICATION,
    cli: { aliases: ['label_smoothing'], placeholder: 'X' },
    form: 'more',
  },
  {
    name: 'seed',
    source: 'TrainingArguments',
    kind: nonNegativeInt,
    default: 42,
    label: 'Seed',
    help: 'Fixes the shuffling, dropout and the new weights, so a run can be repeated.',
    tasks: BOTH,
    cli: { placeholder: 'N' },
    form: 'more',
  },
  {
    name: 'eval_strategy',
    source: 'TrainingArguments',
    kind: { type: 'enum', values: EVAL_STRATEGIES },
    default: 'no',
    defaultText: 'epoch with validation data, else no',
    label: 'Evaluate',
    help: 'When to evaluate on the validation rows (and keep the best checkpoint).',
    tasks: BOTH,
    cli: { aliases: ['evaluation_strategy'], placeholder: EVAL_STRATEGIES.join('|') },
    form: 'more',
  },
  {
    name: 'eval_steps',
    source: 'TrainingArguments',
    kind: positiveInt,
    defaultText: 'logging_steps',
    label: 'Evaluation steps',
    help: 'Optimizer steps between evaluations when eval_strategy is "steps".',
    tasks: BOTH,
    cli: { placeholder: 'N' },
    form: 'more',
  },
  {
    name: 'logging_steps',
    source: 'TrainingArguments',
    kind: positiveInt,
    default: 1,
    upstream: {
      default: 500,
      why: 'a live chart of a short run wants every point, and the trainer reads the loss every step anyway (the NaN guard)',
    },
    label: 'Logging steps',
    help: 'Optimizer steps between points on the training charts (and records in log_history).',
    tasks: BOTH,
    cli: { placeholder: 'N' },
    form: 'more',
  },
  {
    name: 'save_steps',
    source: 'TrainingArguments',
    kind: nonNegativeInt,
    default: 0,
    upstream: { default: 500, why: 'checkpoints come after every evaluation and every save_seconds instead' },
    label: 'Save steps',
    help: 'Optimizer steps between extra checkpoints to resume from (0: only at evaluations); each stores weights and optimizer state.',
    tasks: BOTH,
    cli: { placeholder: 'N' },
    form: 'more',
  },
  {
    name: 'save_seconds',
    source: 'WebTune',
    kind: nonNegativeFloat,
    default: 60,
    label: 'Save seconds',
    help: 'Seconds of training between checkpoints besides save_steps and evaluations (0: none on time): a closed tab or a crash loses at most this much work.',
    tasks: BOTH,
    cli: { placeholder: 'X' },
    form: 'more',
  },
  {
    name: 'metric_for_best_model',
    source: 'TrainingArguments',
    kind: { type: 'string' },
    defaultText: 'loss',
    label: 'Best-model metric',
    help: 'The evaluation number that picks the best checkpoint (f1 is the macro F1).',
    tasks: BOTH,
    cli: { placeholder: 'NAME' },
    form: 'more',
    formChoices: { 'sequence-classification': ['loss', 'f1', 'accuracy'], 'causal-lm': ['loss'] },
  },
  {
    name: 'greater_is_better',
    source: 'TrainingArguments',
    kind: bool,
    defaultText: 'false for a loss, true for other metrics',
    label: 'Greater is better',
    help: 'Whether a larger metric_for_best_model is better.',
    tasks: BOTH,
    cli: { placeholder: '' },
  },
  {
    name: 'load_best_model_at_end',
    source: 'TrainingArguments',
    kind: bool,
    default: false,
    label: 'Load best model at end',
    help: 'End with the weights of the best evaluation (by metric_for_best_model) instead of the last ones.',
    tasks: BOTH,
    cli: { placeholder: '' },
    form: 'more',
  },
  {
    name: 'early_stopping_patience',
    source: 'EarlyStoppingCallback',
    kind: positiveInt,
    defaultText: 'none: never stop early',
    label: 'Early stopping patience',
    help: 'Stop after this many evaluations without improvement.',
    tasks: BOTH,
    cli: { placeholder: 'N' },
    form: 'more',
  },
  {
    name: 'early_stopping_threshold',
    source: 'EarlyStoppingCallback',
    kind: nonNegativeFloat,
    default: 0,
    label: 'Early stopping threshold',
    help: 'How much the metric must improve to count as an improvement.',
    tasks: BOTH,
    cli: { placeholder: 'X' },
  },
  {
    name: 'group_by_length',
    source: 'TrainingArguments',
    kind: bool,
    default: false,
    label: 'Group by length',
    help: 'Batch texts of similar length together (less padding).',
    tasks: BOTH,
    cli: { placeholder: '' },
  },
  // LoRA (mode lora), under PEFT's LoraConfig names and defaults.
  {
    name: 'r',
    source: 'LoraConfig',
    kind: positiveInt,
    default: 8,
    label: 'Rank',
    help: 'Rank of each adapter B·A: more parameters and capacity as it grows.',
    tasks: BOTH,
    modes: LORA,
    cli: { flag: 'lora_r', placeholder: 'N' },
    form: 'lora',
  },
  {
    name: 'lora_alpha',
    source: 'LoraConfig',
    kind: positiveFloat,
    default: 8,
    label: 'Alpha',
    help: 'The update is scaled by lora_alpha / r.',
    tasks: BOTH,
    modes: LORA,
    cli: { placeholder: 'X' },
    form: 'lora',
  },
  {
    name: 'lora_dropout',
    source: 'LoraConfig',
    kind: { type: 'float', min: 0, max: 1, exclusiveMax: true },
    default: 0,
    label: 'Dropout',
    help: "Dropout on the adapters' input.",
    tasks: BOTH,
    modes: LORA,
    cli: { placeholder: 'X' },
    form: 'lora',
  },
  {
    name: 'target_modules',
    source: 'LoraConfig',
    kind: { type: 'modules', keywords: ['all-linear'] },
    defaultText: "the architecture's (query,value; q_lin,v_lin; c_attn; q_proj,v_proj)",
    label: 'Target modules',
    help: 'Layers that get adapters, comma-separated, or all-linear.',
    tasks: BOTH,
    modes: LORA,
    cli: { flag: 'lora_target_modules', aliases: ['target_modules'], placeholder: 'a,b|all-linear' },
    form: 'lora',
  },
  {
    name: 'modules_to_save',
    source: 'LoraConfig',
    kind: { type: 'modules', keywords: [] },
    defaultText: 'none',
    label: 'Modules to save',
    help: 'Modules trained in full and saved with the adapter, besides the classifier (always saved).',
    tasks: BOTH,
    modes: LORA,
    cli: { placeholder: 'a,b' },
    form: 'lora',
  },
  {
    name: 'use_rslora',
    source: 'LoraConfig',
    kind: bool,
    default: false,
    label: 'Rank-stabilised LoRA',
    help: 'Scale by lora_alpha / √r instead of lora_alpha / r.',
    tasks: BOTH,
    modes: LORA,
    cli: { placeholder: '' },
    form: 'lora',
  },
];

const BY_NAME = new Map(ARGUMENT_TABLE.map((e) => [e.name, e]));

/** The entry of an argument by its library name; throws for a name the table does not hold. */
export function argumentEntry(name: string): ArgumentEntry {
  const entry = BY_NAME.get(name);
  if (!entry) throw new Error(`"${name}" is not in the training-argument table`);
  return entry;
}

/** The table's default of an argument (undefined where the data or the model decides it). */
export const tableDefault = (name: string): ArgumentValue | undefined => argumentEntry(name).default;

/** The CLI flag's canonical key (underscores): the name, or the CLI's own spelling of it. */
export const cliKey = (entry: ArgumentEntry): string => entry.cli.flag ?? entry.name;

/** Whether the entry applies to this task and training mode. */
export function applies(entry: ArgumentEntry, task: TaskName, mode?: TrainingMode): boolean {
  return entry.tasks.includes(task) && (!entry.modes || (mode !== undefined && entry.modes.includes(mode)));
}

/** The entries that are TrainingArguments fields of WebTune's trainer (the rest go to the tokenizer, TRL, PEFT). */
export const TRAINER_ENTRIES: readonly ArgumentEntry[] = ARGUMENT_TABLE.filter((e) =>
  (['TrainingArguments', 'EarlyStoppingCallback', 'WebTune'] as ArgumentSource[]).includes(e.source),
);
export const CAUSAL_LM_ENTRIES = ARGUMENT_TABLE.filter((e) => e.source === 'SFTConfig');
export const LORA_ENTRIES = ARGUMENT_TABLE.filter((e) => e.source === 'LoraConfig');

/** The default as --help and the form's help print it. */
export function defaultDescription(entry: ArgumentEntry): string | undefined {
  return entry.defaultText ?? (entry.default === undefined ? undefined : String(entry.default));
}

/** eval_strategy when none is given: every epoch when there are validation rows, else none (the table's "no"). */
export function defaultEvalStrategy(hasValidation: boolean): EvalStrategy {
  return hasValidation ? 'epoch' : (argumentEntry('eval_strategy').default as EvalStrategy);
}

const range = (kind: Extract<ArgumentKind, { type: 'float' }>): string => {
  const lo = kind.exclusiveMin ? `> ${kind.min}` : `≥ ${kind.min}`;
  const hi = kind.max === undefined ? '' : kind.exclusiveMax ? ` and < ${kind.max}` : ` and ≤ ${kind.max}`;
  return lo + hi;
};

/**
 * What is wrong with a typed value for this kind, as the rest of a sentence that starts with the argument's
 * name or flag ("must be > 0, got 0"); undefined when it is valid. One check for the CLI, the form and the trainer.
 */
export function valueProblem(kind: ArgumentKind, value: unknown): string | undefined {
  switch (kind.type) {
    case 'string':
      return typeof value === 'string' && value !== '' ? undefined : 'needs a non-empty value';
    case 'bool':
      return typeof value === 'boolean' ? undefined : `takes true or false, got "${String(value)}"`;
    case 'enum':
      return kind.values.includes(value as string)
        ? undefined
        : `must be one of ${kind.values.join(', ')}; got "${String(value)}"`;
    case 'modules': {
      const text = String(value).trim();
      if (text === '' || kind.keywords.includes(text)) return undefined;
      return text.split(',').every((m) => /^[A-Za-z_][\w.]*$/.test(m.trim()))
        ? undefined
        : `must be module names separated by commas${kind.keywords.length ? ` or ${kind.keywords.join(', ')}` : ''}`;
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `takes a whole number, got "${String(value)}"`;
      return value < kind.min ? `must be at least ${kind.min}, got ${value}` : undefined;
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `takes a number, got "${String(value)}"`;
      const low = kind.exclusiveMin ? value <= kind.min : value < kind.min;
      const high = kind.max !== undefined && (kind.exclusiveMax ? value >= kind.max : value > kind.max);
      return low || high ? `must be ${range(kind)}, got ${value}` : undefined;
    }
  }
}

/**
 * Text (a flag's value, a form field) to a value of this kind, or what is wrong with it (as valueProblem).
 * Booleans take true/false, 1/0, yes/no; numbers must be written whole ("1e-4", not "").
 */
export function parseArgumentText(
  kind: ArgumentKind,
  raw: string,
): { value: ArgumentValue; problem?: undefined } | { value?: undefined; problem: string } {
  let value: ArgumentValue = raw;
  if (kind.type === 'bool') {
    const v = raw.toLowerCase();
    if (['true', '1', 'yes'].includes(v)) value = true;
    else if (['false', '0', 'no'].includes(v)) value = false;
  } else if (kind.type === 'int' || kind.type === 'float') {
    const n = raw.trim() === '' ? NaN : Number(raw);
    if (kind.type === 'int' ? !Number.isInteger(n) : !Number.isFinite(n))
      return { problem: `takes ${kind.type === 'int' ? 'a whole number' : 'a number'}, got "${raw}"` };
    value = n;
  }
  const problem = valueProblem(kind, value);
  return problem === undefined ? { value } : { problem };
}
