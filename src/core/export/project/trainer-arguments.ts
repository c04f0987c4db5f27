// The Trainer part of every generated train.py: the one table from WebTune's TrainingArguments to the Trainer's
// (the same names and values, the Trainer's checkpoints kept out of the exported folder), the Trainer call, and
// the end of the script (the export, the final evaluation as the last line).
import type { TrainingArguments } from '../../train/arguments';
import { loraSaveBlock, type ProjectLora } from './lora';
import { pyCall, type PyArgs } from './python';

export interface TrainerArgumentsOptions {
  /** Whether the run's loss uses label_smoothing_factor (the classifier's does; the causal LM's does not). */
  labelSmoothing: boolean;
  /** Prefix of each line, for a call inside a function. */
  indent?: string;
}

export function trainingArgumentsBlock(a: TrainingArguments, options: TrainerArgumentsOptions): string[] {
  const evaluates = a.eval_strategy !== 'no';
  // The best model is kept through checkpoints, which the Trainer saves on the evaluation schedule.
  const keepsBest = a.load_best_model_at_end || a.early_stopping_patience !== undefined;
  const values: PyArgs = {
    // The Trainer's checkpoints stay out of the exported folder.
    output_dir: { python: 'cli.checkpoint_dir' },
    learning_rate: a.learning_rate,
    num_train_epochs: a.num_train_epochs,
    per_device_train_batch_size: a.per_device_train_batch_size,
    per_device_eval_batch_size: a.per_device_eval_batch_size,
    gradient_accumulation_steps: a.gradient_accumulation_steps,
    weight_decay: a.weight_decay,
    // transformers 5 takes the warmup as steps, or as a share of the steps when it is below 1.
    warmup_steps: a.warmup_steps > 0 ? a.warmup_steps : a.warmup_ratio,
    lr_scheduler_type: a.lr_scheduler_type,
    max_grad_norm: a.max_grad_norm,
    optim: 'adamw_torch',
    adam_beta1: 0.9,
    adam_beta2: 0.999,
    adam_epsilon: 1e-8,
    label_smoothing_factor:
      options.labelSmoothing && a.label_smoothing_factor > 0 ? a.label_smoothing_factor : undefined,
    seed: a.seed,
    logging_steps: a.logging_steps,
    eval_strategy: a.eval_strategy,
    eval_steps: a.eval_strategy === 'steps' ? a.eval_steps : undefined,
    save_strategy: keepsBest ? a.eval_strategy : 'no',
    save_steps: keepsBest && a.eval_strategy === 'steps' ? a.eval_steps : undefined,
    save_total_limit: keepsBest ? 2 : undefined,
    load_best_model_at_end: a.load_best_model_at_end || undefined,
    metric_for_best_model: evaluates && keepsBest ? (a.metric_for_best_model ?? 'loss') : undefined,
    greater_is_better: evaluates && keepsBest ? a.greater_is_better : undefined,
    train_sampling_strategy: a.group_by_length ? 'group_by_length' : undefined,
    report_to: 'none',
  };
  const indent = options.indent ?? '';
  return [`${indent}training_args = ${pyCall('TrainingArguments', values, indent)}`];
}

export interface TrainerCallOptions {
  /** Python expressions of the datasets; no eval dataset when the run does not evaluate. */
  trainDataset: string;
  evalDataset?: string;
  dataCollator: string;
  computeMetrics: boolean;
}

/** The Trainer built from training_args, with early stopping as the run had it, then trained. */
export function trainerBlock(a: TrainingArguments, options: TrainerCallOptions): string[] {
  return [
    'trainer = Trainer(',
    '    model=model,',
    '    args=training_args,',
    `    train_dataset=${options.trainDataset},`,
    ...(options.evalDataset ? [`    eval_dataset=${options.evalDataset},`] : []),
    '    processing_class=tokenizer,',
    `    data_collator=${options.dataCollator},`,
    ...(options.computeMetrics ? ['    compute_metrics=compute_metrics,'] : []),
    ...(a.early_stopping_patience !== undefined
      ? [
          `    callbacks=[${pyCall('EarlyStoppingCallback', {
            early_stopping_patience: a.early_stopping_patience,
            early_stopping_threshold: a.early_stopping_threshold,
          })}],`,
        ]
      : []),
    ')',
    'trainer.train()',
  ];
}

/** After the final evaluation: the export (the adapter or the merged model, else the model), then its JSON line. */
export function saveAndReportBlock(lora: ProjectLora | undefined): string[] {
  return [
    ...(lora
      ? loraSaveBlock(lora)
      : ['trainer.save_model(cli.output_dir)', 'write_model_card(cli.output_dir, trainer, final)']),
    "# The last line is the final evaluation, one JSON object with the Trainer's metric names.",
    'print(json.dumps(final))',
  ];
}
