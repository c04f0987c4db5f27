// Attaches LoRA adapters to a built model (a classifier or a causal LM), at its linear layers: each targeted
// layer gets A [r, in] (Kaiming-uniform, as PEFT's nn.init.kaiming_uniform_(a=√5)) and B [out, r] (zeros), and
// linear() (models/layers.ts) adds scale · B·A·x. The base weights stay as they are; only the adapters and the
// modules_to_save variables train.
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
import type { LinearAdapter, LinearModule } from '../models/layers';
import { mixSeed } from '../models/layers';
import { createRng } from '../random';
import { type LoraConfig, LoraConfigError, loraScale, SEQ_CLS_MODULES_TO_SAVE } from './config';

/** What attachLora needs of a model: its weights by name and its linear layers by module path. */
export interface LoraTarget {
  variables: Map<string, tf.Variable>;
  linearModules?: ReadonlyMap<string, LinearModule>;
  lora?: LoraState;
}

export interface AttachedAdapter {
  module: LinearModule;
  adapter: LinearAdapter;
}

export interface LoraState {
  config: LoraConfig;
  /** The adapted layers by module path (`bert.encoder.layer.0.attention.self.query`). */
  adapters: Map<string, AttachedAdapter>;
  /** The module names the adapters sit on (all-linear expanded), as adapter_config.json lists them. */
  targetNames: string[];
  /** The model's variables that train in full (modules_to_save), by their names in `variables`. */
  savedVariableNames: string[];
  /**
   * What LoRA training updates: `<module path>.lora_A.weight` / `.lora_B.weight` and the modules_to_save
   * variables under their own names.
   */
  trainableVariables(): Map<string, tf.Variable>;
  /** Removes the adapters from the layers and frees their variables. */
  detach(): void;
}

/** The module path of a variable (its name without `.weight` / `.bias`). */
function modulePath(variableName: string): string {
  return variableName.slice(0, variableName.lastIndexOf('.'));
}

/** PEFT's target rule for a list: the path is the name, or ends with "." + name. */
export function matchesTarget(path: string, name: string): boolean {
  return path === name || path.endsWith(`.${name}`);
}

/**
 * PEFT's modules_to_save rule: a module whose path ends with the name (a plain suffix, so `classifier` also
 * takes DistilBERT's `pre_classifier`) is saved with everything under it.
 */
export function isSavedVariable(variableName: string, modulesToSave: readonly string[]): boolean {
  const parts = modulePath(variableName).split('.');
  for (let i = 1; i <= parts.length; i++) {
    const ancestor = parts.slice(0, i).join('.');
    if (modulesToSave.some((m) => ancestor.endsWith(m))) return true;
  }
  return false;
}

export interface AttachOptions {
  /** Seed of lora_A's initialisation (each layer draws from its own stream of it). */
  seed: number;
  /** Adapter tensors to start from (PEFT's names, read by readAdapter) instead of the initialisation. */
  weights?: TensorMap;
  /** How messages name the model. */
  modelName?: string;
}

export interface LoraPlan {
  /** The linear layers the adapters go on, by module path. */
  targeted: [string, LinearModule][];
  /** The model's variables trained in full (modules_to_save). */
  savedVariableNames: string[];
  /** modules_to_save with the SEQ_CLS head added, as PEFT's model does. */
  modulesToSave: string[];
}

/**
 * Which layers a config adapts and which variables it trains in full, without attaching anything (for the
 * parameter counts shown before a run). Throws LoraConfigError when the targets match no linear layer.
 */
export function planLora(model: LoraTarget, config: LoraConfig, modelName = 'this model'): LoraPlan {
  const modules = model.linearModules;
  if (!modules) throw new LoraConfigError(`${modelName} exposes no linear layers for LoRA`);
  const modulesToSave = [
    ...new Set([
      ...(config.task_type === 'SEQ_CLS' ? SEQ_CLS_MODULES_TO_SAVE : []),
      ...(config.modules_to_save ?? []),
    ]),
  ];
  const savedVariableNames = [...model.variables.keys()].filter((n) => isSavedVariable(n, modulesToSave));
  const savedPaths = new Set(savedVariableNames.map(modulePath));
  // A module trained in full is never also adapted, whatever the targets say (PEFT wraps it first: with
  // modules_to_save ["pooler"] and target_modules ["dense"], bert.pooler.dense gets no adapter).
  const targeted = [...modules].filter(
    ([path]) =>
      !savedPaths.has(path) &&
      (config.target_modules === 'all-linear' || config.target_modules.some((t) => matchesTarget(path, t))),
  );
  if (targeted.length === 0)
    throw new LoraConfigError(
      `${modelName}: target_modules ${JSON.stringify(config.target_modules)} match none of its linear layers ` +
        `(${[...new Set([...modules.keys()].map((p) => p.split('.').at(-1)))].join(', ')})`,
    );
  return { targeted, savedVariableNames, modulesToSave };
}

/** PEFT's prefix of every tensor in adapter_model.safetensors. */
export const PEFT_PREFIX = 'base_model.model.';

/**
 * Attaches adapters as `config` says; returns the state (also set as `model.lora`). With `weights`, lora_A,
 * lora_B and the saved modules take the adapter's values (an imported PEFT adapter), and every adapter tensor
 * must be used. Throws LoraConfigError when a target matches no linear layer or a tensor does not fit.
 */
export function attachLora(model: LoraTarget, config: LoraConfig, options: AttachOptions): LoraState {
  const modelName = options.modelName ?? 'this model';
  if (model.lora) throw new LoraConfigError(`${modelName} already has LoRA adapters attached`);
  const modules = model.linearModules;
  if (!modules) throw new LoraConfigError(`${modelName} exposes no linear layers for LoRA`);
  const { targeted, savedVariableNames, modulesToSave } = planLora(model, config, modelName);
  const conv = targeted.some(([, m]) => m.layout === 'in-out');
  const resolved: LoraConfig = {
    ...config,
    modules_to_save: config.task_type === 'SEQ_CLS' || config.modules_to_save ? modulesToSave : null,
    // PEFT sets fan_in_fan_out itself for Conv1D layers (with a warning when it was false).
    fan_in_fan_out: conv,
  };
  const scale = loraScale(config);
  const used = new Set<string>();
  const take = (name: string, shape: number[]): Float32Array | undefined => {
    const t = options.weights?.get(name);
    if (!t) return undefined;
    if (t.shape.join(',') !== shape.join(','))
      throw new LoraConfigError(
        `${modelName}: the adapter's ${name} has shape [${t.shape.join(', ')}], the model needs [${shape.join(', ')}]`,
      );
    used.add(name);
    return t.data;
  };
  const created: tf.Variable[] = [];
  const adapters = new Map<string, AttachedAdapter>();
  try {
    for (const [path, module] of targeted) {
      const [outDim, inDim] =
        module.layout === 'in-out' ? module.weight.shape.slice().reverse() : module.weight.shape;
      const aName = `${PEFT_PREFIX}${path}.lora_A.weight`;
      const bName = `${PEFT_PREFIX}${path}.lora_B.weight`;
      const aData =
        take(aName, [config.r, inDim!]) ??
        kaimingUniformA(config.r, inDim!, mixSeed(options.seed, hashPath(path)));
      const bData = take(bName, [outDim!, config.r]) ?? new Float32Array(outDim! * config.r);
      if (options.weights && (!used.has(aName) || !used.has(bName)))
        throw new LoraConfigError(`${modelName}: the adapter has no ${used.has(aName) ? bName : aName}`);
      const a = hostVariable(aData, [config.r, inDim!], `${path}.lora_A.weight`);
      created.push(a);
      const b = hostVariable(bData, [outDim!, config.r], `${path}.lora_B.weight`);
      created.push(b);
      adapters.set(path, { module, adapter: { a, b, scale, dropout: config.lora_dropout } });
    }
    if (options.weights) {
      for (const name of savedVariableNames) {
        const v = model.variables.get(name)!;
        const data = take(`${PEFT_PREFIX}${name}`, v.shape);
        if (data) tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
      }
      const unused = [...options.weights.keys()].filter((n) => !used.has(n));
      if (unused.length > 0)
        throw new LoraConfigError(
          `${modelName}: the adapter holds tensors that fit no layer of this model: ${unused.slice(0, 5).join(', ')}` +
            (unused.length > 5 ? ` and ${unused.length - 5} more` : ''),
        );
    }
  } catch (error) {
    for (const v of created) v.dispose();
    throw error;
  }
  for (const { module, adapter } of adapters.values()) module.adapter = adapter;

  const targetNames = [...new Set([...adapters.keys()].map((p) => p.split('.').at(-1)!))];
  const state: LoraState = {
    config: resolved,
    adapters,
    targetNames,
    savedVariableNames,
    trainableVariables() {
      const out = new Map<string, tf.Variable>();
      for (const [path, { adapter }] of adapters) {
        out.set(`${path}.lora_A.weight`, adapter.a);
        out.set(`${path}.lora_B.weight`, adapter.b);
      }
      for (const name of savedVariableNames) out.set(name, model.variables.get(name)!);
      return out;
    },
    detach() {
      for (const { module, adapter } of adapters.values()) {
        if (module.adapter === adapter) delete module.adapter;
        adapter.a.dispose();
        adapter.b.dispose();
      }
      adapters.clear();
      if (model.lora === state) delete model.lora;
    },
  };
  model.lora = state;
  return state;
}

/**
 * torch.nn.init.kaiming_uniform_(A, a=√5) for A [r, in]: gain √(2 / (1 + 5)), bound gain·√(3 / fan_in) =
 * 1 / √in, uniform in [−bound, bound). Drawn on the host so every backend gets the same values from a seed.
 */
export function kaimingUniformA(r: number, inDim: number, seed: number): Float32Array {
  const bound = 1 / Math.sqrt(inDim);
  const rng = createRng(seed);
  const out = new Float32Array(r * inDim);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

function hashPath(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

let adapterCount = 0;

/** A trainable variable from host values; tfjs variable names are global, so a counter keeps models apart. */
function hostVariable(data: Float32Array, shape: number[], name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32'), true, `lora${++adapterCount}/${name}`));
}
