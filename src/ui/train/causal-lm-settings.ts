// The Train step for a decoder (task causal-lm): the data options TRL's SFTConfig names (block_size, packing,
// completion_only_loss, assistant_only_loss) as the form holds them, with the core's defaults for the kind of
// data and the model, and the causal-LM defaults of the other hyper-parameters.
import { detectGenerativeColumns, type GenerativeKind } from '../../core/data/generative';
import type { DatasetMeta } from '../../core/storage/dataset-types';
import { resolveCausalLmDataOptions, type CausalLmDataOptions } from '../../core/data/causal-lm-options';
import type { TrainSettings } from './defaults';

export const CAUSAL_LM_FIELD_NAMES = [
  'block_size',
  'packing',
  'completion_only_loss',
  'assistant_only_loss',
] as const;
export type CausalLmFieldName = (typeof CAUSAL_LM_FIELD_NAMES)[number];
/** What the person typed or chose; a field left out takes its default. */
export type CausalLmText = Partial<Record<CausalLmFieldName, string>>;

/** The kind of generative data a confirmed dataset holds (the core's detection), when it is generative. */
export function generativeKindOf(dataset: DatasetMeta | undefined): GenerativeKind | undefined {
  if (dataset?.confirmed?.purpose !== 'generative') return undefined;
  try {
    return detectGenerativeColumns(dataset.parts[0]?.columns ?? [], dataset.name).kind;
  } catch {
    return undefined;
  }
}

/** The form's values: the edits over the core's defaults for this kind of data and model. */
export function causalLmFieldValues(
  kind: GenerativeKind,
  modelMaxLength: number,
  edits: CausalLmText,
): Record<CausalLmFieldName, string> {
  const d = resolveCausalLmDataOptions(kind, {}, modelMaxLength);
  return {
    block_size: edits.block_size ?? String(d.block_size),
    packing: edits.packing ?? String(d.packing),
    completion_only_loss: edits.completion_only_loss ?? String(d.completion_only_loss),
    assistant_only_loss: edits.assistant_only_loss ?? String(d.assistant_only_loss),
  };
}

/** The options to send (only those edited), or the first problem, checked as the run will check them. */
export function parseCausalLmFields(
  kind: GenerativeKind,
  modelMaxLength: number,
  edits: CausalLmText,
): { options?: Partial<CausalLmDataOptions>; error?: string } {
  const options: Partial<CausalLmDataOptions> = {};
  if (edits.block_size !== undefined) options.block_size = Number(edits.block_size.trim());
  for (const name of ['packing', 'completion_only_loss', 'assistant_only_loss'] as const)
    if (edits[name] !== undefined) options[name] = edits[name] === 'true';
  try {
    resolveCausalLmDataOptions(kind, options, modelMaxLength);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return { options };
}

/**
 * The hyper-parameters a causal-LM run starts from: the size-based defaults with the recipe of run_clm / the
 * issue's benchmark (batch 8, 2 epochs, weight decay 0.01, warmup 0.1) and eval_loss as the best-model metric
 * (a causal LM has no accuracy or F1).
 */
export function causalLmDefaultSettings(base: TrainSettings): TrainSettings {
  return {
    ...base,
    num_train_epochs: 2,
    per_device_train_batch_size: 8,
    gradient_accumulation_steps: 1,
    metric_for_best_model: 'loss',
  };
}
