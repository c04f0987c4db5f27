// Copies of a classifier's weights in host memory: for checkpoints and for the best model kept at evaluations.
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
import type { LoraState } from '../lora/attach';
import type { TrainingMode } from './arguments';

/**
 * What the trainer needs of a model, whatever its task: its weights by name, which of them are embeddings
 * (and the head, for models that have one trained alone), and the LoRA adapters attached to it, if any.
 */
export interface TrainableModel {
  variables: Map<string, tf.Variable>;
  embeddingVariableNames: string[];
  /** A classifier's new head; absent for a causal LM, whose lm_head is (tied to) the embeddings. */
  headVariableNames?: string[];
  lora?: LoraState;
}

/**
 * Every variable of the model (or only `variables`: what LoRA trains), copied to Float32Arrays. Asynchronous:
 * the webgpu backend has no cheap synchronous read (dataSync goes through a canvas there, and there is none in
 * a worker or in Node).
 */
export async function snapshotWeights(
  model: TrainableModel,
  variables: ReadonlyMap<string, tf.Variable> = model.variables,
): Promise<TensorMap> {
  const out: TensorMap = new Map();
  for (const [name, v] of variables)
    out.set(name, { shape: v.shape.slice(), data: (await v.data()) as Float32Array });
  return out;
}

/** Writes saved weights back into the model's variables (or `variables`); names and shapes must match exactly. */
export function restoreWeights(
  model: TrainableModel,
  weights: TensorMap,
  variables: ReadonlyMap<string, tf.Variable> = model.variables,
): void {
  for (const name of weights.keys())
    if (!variables.has(name))
      throw new Error(`The saved weights hold "${name}", which the model does not have`);
  for (const [name, v] of variables) {
    const w = weights.get(name);
    if (!w) throw new Error(`The saved weights have no "${name}"`);
    if (w.shape.join(',') !== v.shape.join(','))
      throw new Error(`The saved weight "${name}" has shape [${w.shape}], the model has [${v.shape}]`);
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, 'float32')));
  }
}

/** The variables a training mode updates, by name. */
export function trainableVariables(model: TrainableModel, mode: TrainingMode): Map<string, tf.Variable> {
  if (mode === 'lora') {
    if (!model.lora)
      throw new Error(
        'Training mode "lora" needs LoRA adapters attached to the model (core/lora attachLora)',
      );
    return model.lora.trainableVariables();
  }
  if (mode === 'head' && !model.headVariableNames)
    throw new Error('Training mode "head" needs a model with a new head to train alone (a classifier)');
  const head = new Set(model.headVariableNames);
  const embeddings = new Set(model.embeddingVariableNames);
  const keep = (name: string): boolean =>
    mode === 'full' ? true : mode === 'head' ? head.has(name) : !embeddings.has(name);
  const out = new Map([...model.variables].filter(([name]) => keep(name)));
  if (out.size === 0) throw new Error(`Training mode "${mode}" leaves no weight of the model to train`);
  return out;
}
