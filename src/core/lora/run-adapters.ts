// The LoRA adapters a run trains, the same for the CLI and the app, for classifiers and causal LMs: those of a
// PEFT adapter the run continues (its config and values), or new ones from the run's LoRA fields over PEFT's
// defaults for the architecture and task.
import type { TensorMap } from '../hub/tensors';
import type { Architecture } from '../models/types';
import { attachLora, type LoraState, type LoraTarget } from './attach';
import { LoraConfigError, resolveLoraConfig, type LoraConfig, type LoraTaskType } from './config';

/** A PEFT adapter as read from its folder (adapter_config.json and adapter_model.safetensors). */
export interface PeftAdapter {
  name: string;
  config: LoraConfig;
  weights: TensorMap;
}

const TASK_OWNER: Record<LoraTaskType, string> = {
  SEQ_CLS: "a classifier's",
  CAUSAL_LM: "a causal LM's",
};

/** Refuses an adapter made for another task (a causal LM's adapter on a classifier, or the reverse). */
export function checkAdapterTask(adapter: Pick<PeftAdapter, 'name' | 'config'>, task: LoraTaskType): void {
  if (adapter.config.task_type !== task)
    throw new LoraConfigError(
      `${adapter.name} is a ${adapter.config.task_type} adapter, not ${TASK_OWNER[task]} (${task})`,
    );
}

/**
 * Attaches the run's adapters: the given PEFT adapter's config and values, or new adapters from `fields`.
 * Either way they are seeded by the run's seed, so that a resume, which passes the fields the run stored
 * instead of the adapter, attaches the same layers before its checkpoint restores what trains.
 */
export function attachRunLora(
  model: LoraTarget & { architecture: Architecture },
  task: LoraTaskType,
  run: { seed: number; modelName: string; adapter?: PeftAdapter; fields?: Partial<LoraConfig> },
): LoraState {
  if (run.adapter) {
    checkAdapterTask(run.adapter, task);
    return attachLora(model, run.adapter.config, {
      seed: run.seed,
      weights: run.adapter.weights,
      modelName: run.adapter.name,
    });
  }
  return attachLora(model, resolveLoraConfig(model.architecture, task, run.fields ?? {}), {
    seed: run.seed,
    modelName: run.modelName,
  });
}
