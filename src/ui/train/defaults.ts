// The hyper-parameters the Train step shows, under transformers' TrainingArguments names, with defaults that
// suit the model's size: tiny models learn best with a much higher learning rate than BERT-base's 2e-5..5e-5.
import type { LoraConfig } from '../../core/lora/config';
import type { TrainingArguments } from '../../core/train/arguments';

/** What the form edits: a subset of TrainingArguments plus the tokenizer's max_length. */
export interface TrainSettings {
  learning_rate: number;
  num_train_epochs: number;
  per_device_train_batch_size: number;
  gradient_accumulation_steps: number;
  warmup_ratio: number;
  weight_decay: number;
  max_grad_norm: number;
  lr_scheduler_type: TrainingArguments['lr_scheduler_type'];
  label_smoothing_factor: number;
  eval_strategy: TrainingArguments['eval_strategy'];
  eval_steps: number;
  save_steps: number;
  save_seconds: number;
  logging_steps: number;
  metric_for_best_model: string;
  /** A choice in the form, so a string; the trainer gets a boolean. */
  load_best_model_at_end: 'true' | 'false';
  early_stopping_patience: number;
  mode: TrainingArguments['mode'];
  seed: number;
  max_length: number;
  // LoRA (mode "lora"), under PEFT's LoraConfig names.
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /** Comma-separated module names or "all-linear"; empty: the architecture's default. */
  target_modules: string;
  /** Comma-separated module names trained in full besides the classification head (always saved). */
  modules_to_save: string;
  use_rslora: 'true' | 'false';
}

/** The LoRA fields of the form (the rest of TrainSettings goes to the trainer's arguments). */
export const LORA_SETTING_NAMES = [
  'r',
  'lora_alpha',
  'lora_dropout',
  'target_modules',
  'modules_to_save',
  'use_rslora',
] as const;

/** What the worker's budget says of a model that shapes the defaults (see worker/training-budget.ts). */
export interface BudgetDefaults {
  /** "lora" for a model too big for full fine-tuning in a tab. */
  defaultMode: TrainingArguments['mode'];
  /** PEFT's default target_modules for the architecture. */
  defaultTargetModules: string[];
}

export type SizeClass = 'tiny' | 'small' | 'base';

/** bert-tiny (4 M) and bert-mini (11 M) are tiny; MiniLM-L6 (22 M) small; DistilBERT (66 M) and up base. */
export function sizeClass(parameters: number): SizeClass {
  if (parameters < 15e6) return 'tiny';
  if (parameters < 60e6) return 'small';
  return 'base';
}

/** AdamW's step size by model size, for full fine-tuning (and head, frozen-embeddings) and for LoRA. */
const LEARNING_RATES: Record<SizeClass, { full: number; lora: number }> = {
  tiny: { full: 3e-4, lora: 1e-3 },
  small: { full: 1e-4, lora: 1e-3 },
  base: { full: 3e-5, lora: 5e-4 },
};

/**
 * AdamW's step size for a model of this size trained in this mode. LoRA's update B·A starts at zero (B = 0) and
 * only a few hundred thousand parameters move, so at full fine-tuning's rate it barely changes the model in a
 * short run: LoRA gets the rates PEFT's and the LoRA paper's recipes use (RoBERTa-base on SST-2: 5e-4 at r 8,
 * alpha 8), 1e-3 for smaller models.
 */
export function defaultLearningRate(parameters: number, mode: TrainingArguments['mode']): number {
  const rates = LEARNING_RATES[sizeClass(parameters)];
  return mode === 'lora' ? rates.lora : rates.full;
}

/**
 * The form after the person changed `next` from `previous`: when the mode changed and the learning rate was
 * still the previous mode's default, it becomes the new mode's default (an edited rate is left alone).
 */
export function followModeDefaults<T extends Record<keyof TrainSettings, string>>(
  previous: T,
  next: T,
  parameters: number,
): T {
  if (previous.mode === next.mode || next.learning_rate !== previous.learning_rate) return next;
  const was = defaultLearningRate(parameters, previous.mode as TrainingArguments['mode']);
  if (Number(previous.learning_rate) !== was) return next;
  return {
    ...next,
    learning_rate: String(defaultLearningRate(parameters, next.mode as TrainingArguments['mode'])),
  };
}

export function defaultSettings(parameters: number, budget?: BudgetDefaults): TrainSettings {
  const size = sizeClass(parameters);
  const mode = budget?.defaultMode ?? 'full';
  return {
    learning_rate: defaultLearningRate(parameters, mode),
    num_train_epochs: 3,
    per_device_train_batch_size: size === 'base' ? 8 : 16,
    gradient_accumulation_steps: size === 'base' ? 2 : 1,
    warmup_ratio: 0.1,
    weight_decay: 0.01,
    max_grad_norm: 1,
    lr_scheduler_type: 'linear',
    label_smoothing_factor: 0,
    eval_strategy: 'epoch',
    eval_steps: 50,
    save_steps: 0,
    save_seconds: 60,
    logging_steps: 1,
    metric_for_best_model: 'f1',
    load_best_model_at_end: 'false',
    early_stopping_patience: 0,
    mode,
    seed: 42,
    max_length: 128,
    r: 8,
    lora_alpha: 8,
    lora_dropout: 0,
    target_modules: budget?.defaultTargetModules.join(',') ?? '',
    modules_to_save: '',
    use_rslora: 'false',
  };
}

const moduleList = (text: string): string[] =>
  text
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);

/** The LoRA fields as LoraConfig fields (unset ones left to PEFT's defaults for the architecture). */
export function toLoraFields(s: TrainSettings): Partial<LoraConfig> {
  const targets = s.target_modules.trim();
  const saved = moduleList(s.modules_to_save);
  return {
    r: s.r,
    lora_alpha: s.lora_alpha,
    lora_dropout: s.lora_dropout,
    ...(targets === 'all-linear'
      ? { target_modules: 'all-linear' as const }
      : moduleList(targets).length > 0
        ? { target_modules: moduleList(targets) }
        : {}),
    ...(saved.length > 0 ? { modules_to_save: saved } : {}),
    use_rslora: s.use_rslora === 'true',
  };
}

/** The trainer's arguments for these settings (the trainer fills in the rest with its defaults). */
export function toTrainingArguments(s: TrainSettings): Partial<TrainingArguments> {
  const {
    max_length: _maxLength,
    early_stopping_patience,
    eval_steps,
    load_best_model_at_end,
    r: _r,
    lora_alpha: _alpha,
    lora_dropout: _dropout,
    target_modules: _targets,
    modules_to_save: _saved,
    use_rslora: _rslora,
    ...rest
  } = s;
  const evaluates = s.eval_strategy !== 'no';
  return {
    ...rest,
    per_device_eval_batch_size: Math.max(s.per_device_train_batch_size, 16),
    eval_steps: s.eval_strategy === 'steps' ? eval_steps : undefined,
    metric_for_best_model: evaluates ? s.metric_for_best_model : undefined,
    early_stopping_patience: evaluates && early_stopping_patience > 0 ? early_stopping_patience : undefined,
    load_best_model_at_end: evaluates && load_best_model_at_end === 'true',
  };
}

/**
 * The form's settings for a stored run (its resolved arguments, max length and LoRA fields), over `base` for
 * anything the run does not say: toTrainingArguments (and toLoraFields) of the result give its recipe again.
 */
export function settingsFromRun(
  args: Partial<TrainingArguments>,
  maxLength: number,
  base: TrainSettings,
  lora?: Partial<LoraConfig>,
): TrainSettings {
  const out: TrainSettings = { ...base, max_length: maxLength };
  const writable = out as unknown as Record<string, unknown>;
  for (const key of Object.keys(base) as (keyof TrainSettings)[]) {
    const value = (args as Record<string, unknown>)[key];
    if (typeof value === 'number' || typeof value === 'string') writable[key] = value;
  }
  out.load_best_model_at_end = args.load_best_model_at_end ? 'true' : 'false';
  out.early_stopping_patience = args.early_stopping_patience ?? 0;
  if (args.metric_for_best_model !== undefined)
    out.metric_for_best_model = args.metric_for_best_model.replace(/^eval_/, '');
  if (lora) {
    if (lora.r !== undefined) out.r = lora.r;
    if (lora.lora_alpha !== undefined) out.lora_alpha = lora.lora_alpha;
    if (lora.lora_dropout !== undefined) out.lora_dropout = lora.lora_dropout;
    if (lora.target_modules !== undefined)
      out.target_modules =
        lora.target_modules === 'all-linear' ? 'all-linear' : lora.target_modules.join(',');
    // A run stores the fields as the form set them: modules_to_save is what the person added to the head.
    if (lora.modules_to_save) out.modules_to_save = lora.modules_to_save.join(',');
    if (lora.use_rslora !== undefined) out.use_rslora = lora.use_rslora ? 'true' : 'false';
  }
  return out;
}

export function effectiveBatch(s: TrainSettings): number {
  return s.per_device_train_batch_size * s.gradient_accumulation_steps;
}

interface NumberField {
  kind: 'number';
  name: keyof TrainSettings;
  help: string;
  min: number;
  max?: number;
  step: number | 'any';
  integer?: boolean;
}
interface ChoiceField {
  kind: 'choice';
  name: keyof TrainSettings;
  help: string;
  options: readonly string[];
}
/** A comma-separated list of module names (or a keyword such as "all-linear"); may be empty. */
interface ModulesField {
  kind: 'modules';
  name: keyof TrainSettings;
  help: string;
  keywords: readonly string[];
}
export type Field = NumberField | ChoiceField | ModulesField;

/** One line per mode, shown under the form for the chosen one. */
export const MODE_EXPLANATIONS: Record<TrainingArguments['mode'], string> = {
  full: 'full: every weight trains (the strongest, and four copies of the model in memory).',
  head: 'head: only the new classifier trains, on frozen features (fast, weaker).',
  'frozen-embeddings': 'frozen-embeddings: everything but the embedding tables trains.',
  lora:
    'lora: the model stays frozen; small low-rank adapters (B·A, rank r) beside the chosen layers and the ' +
    'classifier train, as PEFT does: a fraction of the memory.',
};

/** The form, in order: the first group is always shown, the rest under "More settings". */
export const MAIN_FIELDS: Field[] = [
  {
    kind: 'choice',
    name: 'mode',
    help: 'What trains: full, head, frozen-embeddings, or lora (low-rank adapters, PEFT).',
    options: ['full', 'head', 'frozen-embeddings', 'lora'],
  },
  {
    kind: 'number',
    name: 'learning_rate',
    help:
      'Step size of AdamW; tiny models want 1e-4 to 5e-4, base-size ones 2e-5 to 5e-5, and LoRA about ten ' +
      'times more (its default follows the mode until you edit it).',
    min: 0,
    step: 'any',
  },
  {
    kind: 'number',
    name: 'num_train_epochs',
    help: 'Passes over the training set.',
    min: 0.1,
    step: 'any',
  },
  {
    kind: 'number',
    name: 'per_device_train_batch_size',
    help: 'Examples per forward and backward pass; lower it when memory runs out.',
    min: 1,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'gradient_accumulation_steps',
    help: 'Batches whose gradients are summed before one update: a larger batch in the same memory.',
    min: 1,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'max_length',
    help: 'Longest text kept, in tokens (longer ones are cut); shorter is faster.',
    min: 8,
    step: 1,
    integer: true,
  },
];

export const MORE_FIELDS: Field[] = [
  {
    kind: 'number',
    name: 'warmup_ratio',
    help: 'Share of the steps over which the learning rate rises from 0 to its value.',
    min: 0,
    max: 1,
    step: 'any',
  },
  {
    kind: 'choice',
    name: 'lr_scheduler_type',
    help: 'How the learning rate changes after the warmup.',
    options: ['linear', 'cosine', 'constant', 'constant_with_warmup'],
  },
  {
    kind: 'number',
    name: 'weight_decay',
    help: 'Pulls weights towards zero each step (decoupled, as AdamW); helps against overfitting.',
    min: 0,
    step: 'any',
  },
  {
    kind: 'number',
    name: 'max_grad_norm',
    help: 'Gradients are scaled down when their global norm exceeds this (0: no clipping).',
    min: 0,
    step: 'any',
  },
  {
    kind: 'number',
    name: 'label_smoothing_factor',
    help: 'Spreads this share of each target over all classes; makes the model less over-confident.',
    min: 0,
    max: 0.99,
    step: 'any',
  },
  {
    kind: 'choice',
    name: 'eval_strategy',
    help: 'When to evaluate on the validation rows (and keep the best checkpoint).',
    options: ['epoch', 'steps', 'no'],
  },
  {
    kind: 'number',
    name: 'eval_steps',
    help: 'Optimizer steps between evaluations when eval_strategy is "steps".',
    min: 1,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'save_steps',
    help: 'Optimizer steps between extra checkpoints to resume from (0: only at evaluations); each stores weights and optimizer state.',
    min: 0,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'save_seconds',
    help: 'Seconds of training between checkpoints besides save_steps and evaluations (0: none on time): a closed tab or a crash loses at most this much work.',
    min: 0,
    step: 'any',
  },
  {
    kind: 'choice',
    name: 'metric_for_best_model',
    help: 'The evaluation number that picks the best checkpoint (f1 is the macro F1).',
    options: ['f1', 'accuracy', 'loss'],
  },
  {
    kind: 'choice',
    name: 'load_best_model_at_end',
    help: 'true: end with the weights of the best evaluation (by metric_for_best_model) instead of the last ones.',
    options: ['false', 'true'],
  },
  {
    kind: 'number',
    name: 'early_stopping_patience',
    help: 'Stop after this many evaluations without improvement (0: never stop early).',
    min: 0,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'logging_steps',
    help: 'Optimizer steps between points on the training charts.',
    min: 1,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'seed',
    help: 'Fixes the shuffling, dropout and the new head, so a run can be repeated.',
    min: 0,
    step: 1,
    integer: true,
  },
];

/** LoRA's settings, shown when mode is lora, under PEFT's LoraConfig names and defaults. */
export const LORA_FIELDS: Field[] = [
  {
    kind: 'number',
    name: 'r',
    help: 'Rank of each adapter B·A: more parameters and capacity as it grows (PEFT: 8).',
    min: 1,
    step: 1,
    integer: true,
  },
  {
    kind: 'number',
    name: 'lora_alpha',
    help: 'The update is scaled by lora_alpha / r (PEFT: 8).',
    min: 0.001,
    step: 'any',
  },
  {
    kind: 'number',
    name: 'lora_dropout',
    help: "Dropout on the adapters' input (PEFT: 0).",
    min: 0,
    max: 0.99,
    step: 'any',
  },
  {
    kind: 'modules',
    name: 'target_modules',
    help: 'Layers that get adapters, comma-separated (this architecture’s default shown), or all-linear.',
    keywords: ['all-linear'],
  },
  {
    kind: 'modules',
    name: 'modules_to_save',
    help: 'Modules trained in full and saved with the adapter, besides the classifier (always saved).',
    keywords: [],
  },
  {
    kind: 'choice',
    name: 'use_rslora',
    help: 'true: scale by lora_alpha / √r (rank-stabilised LoRA).',
    options: ['false', 'true'],
  },
];

/** The first problem with a setting, or undefined; the trainer checks again in the worker. */
export function settingError(field: Field, value: unknown): string | undefined {
  if (field.kind === 'choice') return field.options.includes(String(value)) ? undefined : 'not a choice';
  if (field.kind === 'modules') {
    const text = String(value).trim();
    // Before the model's budget arrives the default is not known yet: empty means the architecture's default.
    if (text === '' || field.keywords.includes(text)) return undefined;
    const names = text.split(',').map((m) => m.trim());
    if (names.some((m) => !/^[A-Za-z_][\w.]*$/.test(m)))
      return `${field.name} must be module names separated by commas${field.keywords.length ? ` or ${field.keywords.join(', ')}` : ''}`;
    return undefined;
  }
  const n = Number(value);
  if (!Number.isFinite(n)) return `${field.name} must be a number`;
  if (n < field.min || (field.name === 'learning_rate' && n <= 0))
    return `${field.name} must be ${field.name === 'learning_rate' ? 'above' : 'at least'} ${field.min}`;
  if (field.max !== undefined && n > field.max) return `${field.name} must be at most ${field.max}`;
  if (field.integer && !Number.isInteger(n)) return `${field.name} must be a whole number`;
  return undefined;
}
