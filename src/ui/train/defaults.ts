// The Train form's settings: the training-argument table's entries (core/argument-table.ts) that the form
// shows, with the table's defaults, except a few the loaded model suggests: tiny models learn best with a much
// higher learning rate than BERT-base's 2e-5..5e-5, and a model too big for full fine-tuning gets LoRA.
import type { LoraConfig } from '../../core/lora/config';
import type { TaskName } from '../../core/models/registry';
import {
  ARGUMENT_TABLE,
  defaultEvalStrategy,
  parseArgumentText,
  TRAINER_ENTRIES,
  type ArgumentEntry,
} from '../../core/argument-table';
import type { TrainingArguments } from '../../core/train/arguments';
import type { CausalLmDataOptions } from '../../core/train/causal-lm-examples';

/** What the form edits: the table's form entries, each under its library name (a unit test holds them equal). */
export interface TrainSettings {
  mode: TrainingArguments['mode'];
  learning_rate: number;
  num_train_epochs: number;
  per_device_train_batch_size: number;
  gradient_accumulation_steps: number;
  /** The tokenizer's truncation length (classification). */
  max_length: number;
  // Causal LM data, under TRL's SFTConfig names; unset block_size: min(model positions, 512).
  block_size?: number;
  packing: boolean;
  completion_only_loss: boolean;
  assistant_only_loss: boolean;
  per_device_eval_batch_size: number;
  warmup_ratio: number;
  lr_scheduler_type: TrainingArguments['lr_scheduler_type'];
  weight_decay: number;
  max_grad_norm: number;
  label_smoothing_factor: number;
  seed: number;
  eval_strategy: TrainingArguments['eval_strategy'];
  /** Unset: logging_steps (transformers). */
  eval_steps?: number;
  logging_steps: number;
  save_steps: number;
  save_seconds: number;
  metric_for_best_model: string;
  load_best_model_at_end: boolean;
  /** Unset: no early stopping. */
  early_stopping_patience?: number;
  // LoRA (mode "lora"), under PEFT's LoraConfig names.
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  /** Comma-separated module names or "all-linear"; empty: the architecture's default. */
  target_modules: string;
  /** Comma-separated module names trained in full besides the classification head (always saved). */
  modules_to_save: string;
  use_rslora: boolean;
}

/** The table's entries the form shows, in the table's order. */
export const FORM_ENTRIES: readonly ArgumentEntry[] = ARGUMENT_TABLE.filter((e) => e.form !== undefined);

/** The LoRA fields of the form (the rest of TrainSettings goes to the trainer's arguments). */
export const LORA_SETTING_NAMES = FORM_ENTRIES.filter((e) => e.form === 'lora').map(
  (e) => e.name as keyof TrainSettings,
);

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

/**
 * The form's defaults: the table's, then what the model suggests (learning rate, batch, accumulation and mode by
 * its size and budget, its architecture's LoRA targets). The Data step always holds out validation rows, so
 * eval_strategy is the table's choice for a run with validation data; packing is the plain-text default until
 * the data says otherwise; metric_for_best_model shows "loss", what transformers uses when it is unset.
 */
export function defaultSettings(parameters: number, budget?: BudgetDefaults): TrainSettings {
  const table = Object.fromEntries(FORM_ENTRIES.map((e) => [e.name, e.default])) as unknown as TrainSettings;
  const size = sizeClass(parameters);
  const mode = budget?.defaultMode ?? table.mode;
  return {
    ...table,
    mode,
    learning_rate: defaultLearningRate(parameters, mode),
    per_device_train_batch_size: size === 'base' ? 8 : 16,
    gradient_accumulation_steps: size === 'base' ? 2 : 1,
    eval_strategy: defaultEvalStrategy(true),
    packing: true,
    metric_for_best_model: 'loss',
    target_modules: budget?.defaultTargetModules.join(',') ?? '',
    modules_to_save: '',
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
    use_rslora: s.use_rslora,
  };
}

/** The trainer's arguments for these settings (the trainer fills in the rest with the table's defaults). */
export function toTrainingArguments(s: TrainSettings): Partial<TrainingArguments> {
  const values = s as unknown as Record<string, unknown>;
  const out = Object.fromEntries(
    TRAINER_ENTRIES.filter((e) => e.form !== undefined).map((e) => [e.name, values[e.name]]),
  ) as Partial<TrainingArguments>;
  const evaluates = s.eval_strategy !== 'no';
  return {
    ...out,
    eval_steps: s.eval_strategy === 'steps' ? s.eval_steps : undefined,
    // "loss" is what transformers picks when metric_for_best_model is unset: the CLI writes it unset too.
    metric_for_best_model:
      evaluates && s.metric_for_best_model !== 'loss' ? s.metric_for_best_model : undefined,
    early_stopping_patience: evaluates ? s.early_stopping_patience : undefined,
    load_best_model_at_end: evaluates && s.load_best_model_at_end,
  };
}

/** The causal-LM data options the form sets (an unset block_size is left to the model's context). */
export function toCausalLmOptions(s: TrainSettings): Partial<CausalLmDataOptions> {
  return {
    ...(s.block_size !== undefined ? { block_size: s.block_size } : {}),
    packing: s.packing,
    completion_only_loss: s.completion_only_loss,
    assistant_only_loss: s.assistant_only_loss,
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
    if (['number', 'string', 'boolean'].includes(typeof value)) writable[key] = value;
  }
  out.load_best_model_at_end = args.load_best_model_at_end === true;
  out.early_stopping_patience = args.early_stopping_patience;
  out.eval_steps = args.eval_steps;
  out.metric_for_best_model = args.metric_for_best_model?.replace(/^eval_/, '') ?? 'loss';
  if (lora) {
    if (lora.r !== undefined) out.r = lora.r;
    if (lora.lora_alpha !== undefined) out.lora_alpha = lora.lora_alpha;
    if (lora.lora_dropout !== undefined) out.lora_dropout = lora.lora_dropout;
    if (lora.target_modules !== undefined)
      out.target_modules =
        lora.target_modules === 'all-linear' ? 'all-linear' : lora.target_modules.join(',');
    // A run stores the fields as the form set them: modules_to_save is what the person added to the head.
    if (lora.modules_to_save) out.modules_to_save = lora.modules_to_save.join(',');
    if (lora.use_rslora !== undefined) out.use_rslora = lora.use_rslora;
  }
  return out;
}

export function effectiveBatch(s: TrainSettings): number {
  return s.per_device_train_batch_size * s.gradient_accumulation_steps;
}

/** One line per mode, shown under the form for the chosen one. */
export const MODE_EXPLANATIONS: Record<TrainingArguments['mode'], string> = {
  full: 'full: every weight trains (the strongest, and four copies of the model in memory).',
  head: 'head: only the new classifier trains, on frozen features (fast, weaker).',
  'frozen-embeddings': 'frozen-embeddings: everything but the embedding tables trains.',
  lora:
    'lora: the model stays frozen; small low-rank adapters (B·A, rank r) beside the chosen layers and the ' +
    'classifier train, as PEFT does: a fraction of the memory.',
};

/** A number without one default in the table may be left empty (unset: eval_steps follows logging_steps, …). */
export const isOptional = (entry: ArgumentEntry): boolean =>
  entry.default === undefined && (entry.kind.type === 'int' || entry.kind.type === 'float');

/** The choices the form offers for a string entry in this task (the task's own list first: metric_for_best_model, a decoder's modes). */
export const formChoices = (entry: ArgumentEntry, task: TaskName): readonly string[] | undefined =>
  entry.formChoices?.[task] ?? (entry.kind.type === 'enum' ? entry.kind.values : undefined);

/**
 * The setting's value from the form's text, or the first problem with it, naming the setting as the trainer and
 * the CLI do ("learning_rate must be > 0, got 0"); the trainer checks again in the worker.
 */
export function parseSetting(
  entry: ArgumentEntry,
  raw: string,
  task: TaskName = 'sequence-classification',
): { value?: string | number | boolean; problem?: string } {
  const text = entry.kind.type === 'int' || entry.kind.type === 'float' ? raw.trim() : raw;
  if (text === '' && isOptional(entry)) return {};
  const choices = formChoices(entry, task);
  if (choices && !choices.includes(text))
    return { problem: `${entry.name} must be one of ${choices.join(', ')}; got "${text}"` };
  const parsed = parseArgumentText(entry.kind, text);
  return parsed.problem !== undefined
    ? { problem: `${entry.name} ${parsed.problem}` }
    : { value: parsed.value };
}
