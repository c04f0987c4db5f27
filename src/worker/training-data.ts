import { resolveTrainingArguments, type TrainingArguments } from '../core/train/arguments';

/** The longest sequence a run keeps: what the person chose, within the model's positions and tokenizer. */
export function effectiveMaxLength(requested: number, modelMax: number): number {
  if (!Number.isInteger(requested) || requested < 8)
    throw new Error(`max_length must be an integer of at least 8 tokens, got ${requested}`);
  return Math.min(requested, modelMax);
}

/** A run's arguments for its data: without validation rows there is nothing to evaluate on, so no evaluations. */
export function argumentsForData(args: TrainingArguments, validationRows: number): TrainingArguments {
  if (validationRows > 0 || args.eval_strategy === 'no') return args;
  return resolveTrainingArguments({
    ...args,
    eval_strategy: 'no',
    load_best_model_at_end: false,
    early_stopping_patience: undefined,
  });
}
