// training_args.json and metrics.json: how the model was trained and what was logged, as plain JSON a
// transformers user recognises (TrainingArguments names; trainer_state.json's log_history layout).
import { exportedBackend } from '../backend-info';
import type { TaskName } from '../models/registry';
import { ARGUMENT_TABLE, type ArgumentValue } from '../argument-table';
import type { TrainingArguments } from '../train/arguments';
import type { CausalLmDataOptions } from '../train/causal-lm-examples';
import type { ExportInputs, TrainingHyperparameters } from './types';

/** WebTune's optimizer (core/train/adamw.ts), as transformers' TrainingArguments name it. */
export const ADAMW_ARGUMENTS = {
  optim: 'adamw_torch',
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
} as const;

/**
 * What training_args.json and the card's recipe hold, the same for the app and the CLI: every entry of the
 * training-argument table that applies to the task (null where unset, as transformers writes None), and AdamW's
 * constants. LoRA's fields are not here: adapter_config.json holds them.
 */
export function trainingArgumentsRecord(
  args: TrainingArguments,
  run: { task: TaskName; maxLength?: number; causalLm?: CausalLmDataOptions },
): TrainingHyperparameters {
  const out: Record<string, ArgumentValue | null> = {};
  for (const entry of ARGUMENT_TABLE) {
    if (entry.source === 'LoraConfig' || !entry.tasks.includes(run.task)) continue;
    const value =
      entry.source === 'tokenizer'
        ? run.maxLength
        : entry.source === 'SFTConfig'
          ? run.causalLm?.[entry.name as keyof CausalLmDataOptions]
          : (args as unknown as Record<string, ArgumentValue | undefined>)[entry.name];
    out[entry.exportName ?? entry.name] = value ?? null;
  }
  return { ...out, ...ADAMW_ARGUMENTS } as TrainingHyperparameters;
}

export function trainingArgs(
  inputs: Pick<ExportInputs, 'hyperparameters' | 'run' | 'baseModel'>,
): Record<string, unknown> {
  const { hyperparameters, run, baseModel } = inputs;
  const defined = Object.fromEntries(Object.entries(hyperparameters).filter(([, v]) => v !== undefined));
  return {
    ...defined,
    seed: hyperparameters.seed,
    webtune: {
      version: run.webtuneVersion,
      backend: exportedBackend(run.backend),
      ...(run.trainedIn ? { trained_in: run.trainedIn } : {}),
      ...(run.tfjsVersion ? { tfjs_version: run.tfjsVersion } : {}),
      base_model: baseModel.hubId ?? baseModel.displayName ?? null,
      ...(baseModel.revision ? { base_model_revision: baseModel.revision } : {}),
      ...(run.startedAt ? { started_at: run.startedAt } : {}),
      ...(run.finishedAt ? { finished_at: run.finishedAt } : {}),
    },
  };
}

/** trainer_state.json's fields that WebTune knows, plus the final per-class evaluation of the weights. */
export function trainerState(inputs: ExportInputs): Record<string, unknown> {
  const { logHistory, hyperparameters: hp, finalEvaluation: ev, labels } = inputs;
  const last = logHistory.at(-1);
  const evals = logHistory.filter((e) => e.eval_loss !== undefined || e.eval_accuracy !== undefined);
  return {
    epoch: last?.epoch ?? 0,
    global_step: last?.step ?? 0,
    ...(hp.max_steps !== undefined ? { max_steps: hp.max_steps } : {}),
    num_train_epochs: hp.num_train_epochs,
    train_batch_size: hp.per_device_train_batch_size,
    ...(hp.logging_steps !== undefined ? { logging_steps: hp.logging_steps } : {}),
    ...(hp.eval_steps !== undefined ? { eval_steps: hp.eval_steps } : {}),
    num_evaluations: evals.length,
    log_history: logHistory,
    final_evaluation: {
      step: ev.step,
      epoch: ev.epoch,
      accuracy: ev.accuracy,
      macro_f1: ev.macroF1,
      ...(ev.weightedF1 !== undefined ? { weighted_f1: ev.weightedF1 } : {}),
      ...(ev.loss !== undefined ? { loss: ev.loss } : {}),
      per_class: Object.fromEntries(
        ev.perClass.map((c) => [
          c.label,
          { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support },
        ]),
      ),
      ...(ev.confusionMatrix ? { confusion_matrix: ev.confusionMatrix, labels } : {}),
    },
  };
}

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
