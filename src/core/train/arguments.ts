// The options of WebTune's trainer, under transformers' TrainingArguments names. Their defaults and valid ranges
// are the training-argument table's (argument-table.ts); this module types them and checks them together.
import {
  EVAL_STRATEGIES,
  TRAINER_ENTRIES,
  TRAINING_MODES,
  valueProblem,
  type EvalStrategy,
  type TrainingMode,
} from '../argument-table';
import type { SchedulerType } from './schedules';

export { EVAL_STRATEGIES, TRAINING_MODES, type EvalStrategy, type TrainingMode };

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

/** The table's defaults of the trainer's arguments (those without one stay unset: transformers' None). */
export const DEFAULT_TRAINING_ARGUMENTS: TrainingArguments = Object.fromEntries(
  TRAINER_ENTRIES.filter((e) => e.default !== undefined).map((e) => [e.name, e.default]),
) as unknown as TrainingArguments;

/** Fills in defaults and rejects values transformers would reject, naming the argument. */
export function resolveTrainingArguments(partial: Partial<TrainingArguments> = {}): TrainingArguments {
  const args: TrainingArguments = { ...DEFAULT_TRAINING_ARGUMENTS };
  for (const [k, v] of Object.entries(partial))
    if (v !== undefined) (args as unknown as Record<string, unknown>)[k] = v;
  const values = args as unknown as Record<string, unknown>;
  for (const entry of TRAINER_ENTRIES) {
    const value = values[entry.name];
    if (value === undefined) continue;
    const problem = valueProblem(entry.kind, value);
    if (problem) throw new Error(`${entry.name} ${problem}`);
  }
  if (args.eval_strategy === 'steps') {
    args.eval_steps ??= args.logging_steps;
  }
  if (args.early_stopping_patience !== undefined && args.eval_strategy === 'no')
    throw new Error('early_stopping_patience needs an eval_strategy other than "no"');
  if (args.load_best_model_at_end && args.eval_strategy === 'no')
    throw new Error('load_best_model_at_end needs an eval_strategy other than "no"');
  return args;
}
