// The training options, under transformers' TrainingArguments names, with its defaults where WebTune keeps them.
import { SCHEDULER_TYPES, type SchedulerType } from './schedules';

export const TRAINING_MODES = ['full', 'head', 'frozen-embeddings', 'lora'] as const;
/**
 * full: every weight; head: only the classification head (encoder frozen); frozen-embeddings: all but
 * embeddings; lora: only the LoRA adapters attached to the model (core/lora) and the modules they save.
 */
export type TrainingMode = (typeof TRAINING_MODES)[number];
export const EVAL_STRATEGIES = ['no', 'epoch', 'steps'] as const;
export type EvalStrategy = (typeof EVAL_STRATEGIES)[number];

export interface TrainingArguments {
  learning_rate: number;
  num_train_epochs: number;
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  gradient_accumulation_steps: number;
  warmup_ratio: number;
  warmup_steps: number;
  weight_decay: number;
  max_grad_norm: number;
  lr_scheduler_type: SchedulerType;
  label_smoothing_factor: number;
  seed: number;
  eval_strategy: EvalStrategy;
  /** Optimizer steps between evaluations when eval_strategy is "steps" (defaults to logging_steps, as transformers). */
  eval_steps?: number;
  /** Optimizer steps between training log records (transformers defaults to 500; a live chart wants more points). */
  logging_steps: number;
  /** Optimizer steps between checkpoints, besides the one after every evaluation; 0: only at evaluations. */
  save_steps: number;
  /**
   * Seconds of training between checkpoints besides save_steps and evaluations (0: none on time), so a closed tab
   * or a crash loses at most this much work. Not a transformers argument: its Trainer saves on steps only.
   */
  save_seconds: number;
  /** Unset: no early stopping. */
  early_stopping_patience?: number;
  early_stopping_threshold: number;
  metric_for_best_model?: string;
  greater_is_better?: boolean;
  load_best_model_at_end: boolean;
  group_by_length: boolean;
  mode: TrainingMode;
}

export const DEFAULT_TRAINING_ARGUMENTS: TrainingArguments = {
  learning_rate: 5e-5,
  num_train_epochs: 3,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 8,
  gradient_accumulation_steps: 1,
  warmup_ratio: 0,
  warmup_steps: 0,
  weight_decay: 0,
  max_grad_norm: 1,
  lr_scheduler_type: 'linear',
  label_smoothing_factor: 0,
  seed: 42,
  eval_strategy: 'no',
  logging_steps: 10,
  save_steps: 0,
  save_seconds: 60,
  early_stopping_threshold: 0,
  load_best_model_at_end: false,
  group_by_length: false,
  mode: 'full',
};

/** Fills in defaults and rejects values transformers would reject, naming the argument. */
export function resolveTrainingArguments(partial: Partial<TrainingArguments> = {}): TrainingArguments {
  const args: TrainingArguments = { ...DEFAULT_TRAINING_ARGUMENTS };
  for (const [k, v] of Object.entries(partial))
    if (v !== undefined) (args as unknown as Record<string, unknown>)[k] = v;
  const positive = ['learning_rate', 'num_train_epochs'] as const;
  for (const k of positive)
    if (!(args[k] > 0) || !Number.isFinite(args[k]))
      throw new Error(`${k} must be a positive number, got ${args[k]}`);
  const positiveInt = [
    'per_device_train_batch_size',
    'per_device_eval_batch_size',
    'gradient_accumulation_steps',
    'logging_steps',
  ] as const;
  for (const k of positiveInt)
    if (!Number.isInteger(args[k]) || args[k] < 1)
      throw new Error(`${k} must be a positive integer, got ${args[k]}`);
  const nonNegative = [
    'warmup_steps',
    'weight_decay',
    'max_grad_norm',
    'save_steps',
    'save_seconds',
    'early_stopping_threshold',
  ] as const;
  for (const k of nonNegative)
    if (!(args[k] >= 0)) throw new Error(`${k} must be a number ≥ 0, got ${args[k]}`);
  if (!Number.isInteger(args.warmup_steps))
    throw new Error(`warmup_steps must be an integer, got ${args.warmup_steps}`);
  if (!(args.warmup_ratio >= 0 && args.warmup_ratio <= 1))
    throw new Error(`warmup_ratio must be in [0, 1], got ${args.warmup_ratio}`);
  if (!(args.label_smoothing_factor >= 0 && args.label_smoothing_factor < 1))
    throw new Error(`label_smoothing_factor must be in [0, 1), got ${args.label_smoothing_factor}`);
  if (!Number.isInteger(args.seed)) throw new Error(`seed must be an integer, got ${args.seed}`);
  if (!SCHEDULER_TYPES.includes(args.lr_scheduler_type))
    throw new Error(
      `lr_scheduler_type "${args.lr_scheduler_type}" is not one of ${SCHEDULER_TYPES.join(', ')}`,
    );
  if (!EVAL_STRATEGIES.includes(args.eval_strategy))
    throw new Error(`eval_strategy "${args.eval_strategy}" is not one of ${EVAL_STRATEGIES.join(', ')}`);
  if (!TRAINING_MODES.includes(args.mode))
    throw new Error(`mode "${args.mode}" is not one of ${TRAINING_MODES.join(', ')}`);
  if (args.eval_strategy === 'steps') {
    args.eval_steps ??= args.logging_steps;
    if (!Number.isInteger(args.eval_steps) || args.eval_steps < 1)
      throw new Error(`eval_steps must be a positive integer, got ${args.eval_steps}`);
  }
  if (args.early_stopping_patience !== undefined) {
    if (!Number.isInteger(args.early_stopping_patience) || args.early_stopping_patience < 1)
      throw new Error(
        `early_stopping_patience must be a positive integer, got ${args.early_stopping_patience}`,
      );
    if (args.eval_strategy === 'no')
      throw new Error('early_stopping_patience needs an eval_strategy other than "no"');
  }
  if (args.load_best_model_at_end && args.eval_strategy === 'no')
    throw new Error('load_best_model_at_end needs an eval_strategy other than "no"');
  return args;
}
