// The Train step for a decoder (task causal-lm): the data options under TRL's SFTConfig names (block_size,
// packing, completion_only_loss, assistant_only_loss) with the core's defaults for the kind of data and the
// model, which of them apply to that kind, and the causal-LM defaults of the other hyper-parameters. The form
// renders them from the argument table like every other field (HyperParameters).
import { detectGenerativeColumns, type GenerativeKind } from '../../core/data/generative';
import type { DatasetMeta } from '../../core/storage/dataset-types';
import { resolveCausalLmDataOptions } from '../../core/data/causal-lm-options';
import { toCausalLmOptions, type TrainSettings } from './defaults';

/** The data options that mean something for this kind of data (the loss masks are per kind). */
export function causalLmFieldApplies(name: string, kind: GenerativeKind): boolean {
  if (name === 'completion_only_loss') return kind === 'instruction';
  if (name === 'assistant_only_loss') return kind === 'chat';
  return true;
}

/** The first problem with the settings' data options for this model, checked as the run will check them. */
export function causalLmOptionsProblem(
  kind: GenerativeKind,
  modelMaxLength: number,
  settings: TrainSettings,
): string | undefined {
  try {
    resolveCausalLmDataOptions(kind, toCausalLmOptions(settings), modelMaxLength);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The kind of generative data a confirmed dataset holds (the core's detection), when it is generative. */
export function generativeKindOf(dataset: DatasetMeta | undefined): GenerativeKind | undefined {
  if (dataset?.confirmed?.purpose !== 'generative') return undefined;
  try {
    return detectGenerativeColumns(dataset.parts[0]?.columns ?? [], dataset.name).kind;
  } catch {
    return undefined;
  }
}

/**
 * The hyper-parameters a causal-LM run starts from: the size-based defaults with the recipe of run_clm / the
 * issue's benchmark (batch 8, 2 epochs, weight decay 0.01, warmup 0.1), eval_loss as the best-model metric
 * (a causal LM has no accuracy or F1), and the core's data options for this kind of data and model.
 */
export function causalLmDefaultSettings(
  base: TrainSettings,
  kind: GenerativeKind | undefined,
  modelMaxLength: number,
): TrainSettings {
  return {
    ...base,
    ...(kind ? resolveCausalLmDataOptions(kind, {}, modelMaxLength) : {}),
    num_train_epochs: 2,
    per_device_train_batch_size: 8,
    gradient_accumulation_steps: 1,
    metric_for_best_model: 'loss',
  };
}
