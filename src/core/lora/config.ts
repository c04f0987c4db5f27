// LoRA's settings under PEFT's LoraConfig names and defaults, and the adapter_config.json PEFT writes and reads.
import type { Architecture } from '../models/types';
import { ARCHITECTURES } from '../models/registry';
import { tableDefault } from '../argument-table';

/** PEFT's task types for the two tasks WebTune trains. */
export type LoraTaskType = 'SEQ_CLS' | 'CAUSAL_LM';

export interface LoraConfig {
  /** The rank of the update B·A. */
  r: number;
  lora_alpha: number;
  /** Dropout on the adapter's input (the base layer's input is left alone). */
  lora_dropout: number;
  /**
   * Module names (a module is targeted when its path is the name or ends with "." + name, PEFT's rule), or
   * "all-linear": every linear layer but the output layer and the modules trained in full.
   */
  target_modules: string[] | 'all-linear';
  /** Modules trained in full and saved with the adapter (the classification head for SEQ_CLS). */
  modules_to_save: string[] | null;
  /** The targeted weights are stored [in, out] (GPT-2's Conv1D); set by attachLora as PEFT sets it. */
  fan_in_fan_out: boolean;
  /** scale = lora_alpha / √r instead of lora_alpha / r. */
  use_rslora: boolean;
  task_type: LoraTaskType;
  base_model_name_or_path: string | null;
  revision: string | null;
}

/** What PeftModelForSequenceClassification adds to modules_to_save (and writes into adapter_config.json). */
export const SEQ_CLS_MODULES_TO_SAVE = ['classifier', 'score'];

export class LoraConfigError extends Error {
  override name = 'LoraConfigError';
}

/** PEFT's default targets for an architecture (the registry's loraTargets). */
export function defaultTargetModules(architecture: Architecture): string[] {
  const d = ARCHITECTURES.find((a) => a.modelType === architecture);
  if (!d) throw new LoraConfigError(`no LoRA default targets for architecture "${architecture}"`);
  return [...d.loraTargets];
}

/** A full config from the given fields, PEFT's defaults for the rest; rejects what PEFT would reject. */
export function resolveLoraConfig(
  architecture: Architecture,
  task: LoraTaskType,
  partial: Partial<LoraConfig> = {},
): LoraConfig {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const config: LoraConfig = {
    // PEFT's defaults, as the training-argument table holds them.
    r: tableDefault('r') as number,
    lora_alpha: tableDefault('lora_alpha') as number,
    lora_dropout: tableDefault('lora_dropout') as number,
    target_modules: defaultTargetModules(architecture),
    modules_to_save: null,
    fan_in_fan_out: false,
    use_rslora: tableDefault('use_rslora') as boolean,
    task_type: task,
    base_model_name_or_path: null,
    revision: null,
    ...given,
  };
  if (task === 'SEQ_CLS') {
    // PeftModelForSequenceClassification always trains and saves the head, whatever else is listed.
    const extra = (config.modules_to_save ?? []).filter((m) => !SEQ_CLS_MODULES_TO_SAVE.includes(m));
    config.modules_to_save = [...SEQ_CLS_MODULES_TO_SAVE, ...extra];
  }
  if (!Number.isInteger(config.r) || config.r < 1)
    throw new LoraConfigError(`lora r must be a positive integer, got ${config.r}`);
  if (!(config.lora_alpha > 0) || !Number.isFinite(config.lora_alpha))
    throw new LoraConfigError(`lora_alpha must be a positive number, got ${config.lora_alpha}`);
  if (!(config.lora_dropout >= 0 && config.lora_dropout < 1))
    throw new LoraConfigError(`lora_dropout must be in [0, 1), got ${config.lora_dropout}`);
  if (config.target_modules !== 'all-linear') {
    if (!Array.isArray(config.target_modules) || config.target_modules.length === 0)
      throw new LoraConfigError('target_modules must name at least one module, or be "all-linear"');
  }
  return config;
}

/** The adapter's scaling of B·A: alpha / r, or alpha / √r with rsLoRA (PEFT's LoraLayer.update_layer). */
export function loraScale(config: Pick<LoraConfig, 'r' | 'lora_alpha' | 'use_rslora'>): number {
  return config.use_rslora ? config.lora_alpha / Math.sqrt(config.r) : config.lora_alpha / config.r;
}

/**
 * adapter_config.json as PEFT 0.21 writes it (the fields WebTune sets, and the defaults of the others that
 * PEFT reads, so that PeftModel.from_pretrained sees exactly this adapter). `targets` are the module names
 * the adapter was attached to (all-linear expanded, as PEFT saves it).
 */
export function adapterConfigJson(config: LoraConfig, targets: readonly string[]): string {
  const json = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: config.base_model_name_or_path,
    bias: 'none',
    fan_in_fan_out: config.fan_in_fan_out,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: config.lora_alpha,
    lora_bias: false,
    lora_dropout: config.lora_dropout,
    modules_to_save: config.modules_to_save,
    peft_type: 'LORA',
    r: config.r,
    rank_pattern: {},
    revision: config.revision,
    target_modules: [...targets].sort(),
    task_type: config.task_type,
    use_dora: false,
    use_rslora: config.use_rslora,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Reads a PEFT adapter_config.json; refuses what WebTune cannot apply exactly (another PEFT method, DoRA,
 * per-layer ranks, trained biases), naming the field.
 */
export function parseAdapterConfig(text: string, where: string): LoraConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new LoraConfigError(`${where} is not JSON`);
  }
  const refuse = (why: string): never => {
    throw new LoraConfigError(`${where}: ${why}; WebTune applies plain LoRA adapters only`);
  };
  if (raw.peft_type !== 'LORA') refuse(`peft_type is ${JSON.stringify(raw.peft_type)}, not "LORA"`);
  if (raw.use_dora === true) refuse('use_dora is true');
  if (raw.bias !== undefined && raw.bias !== 'none') refuse(`bias is ${JSON.stringify(raw.bias)}`);
  if (raw.lora_bias === true) refuse('lora_bias is true');
  for (const key of ['rank_pattern', 'alpha_pattern'] as const) {
    const v = raw[key];
    if (v && typeof v === 'object' && Object.keys(v).length > 0) refuse(`${key} is not empty`);
  }
  if (raw.layers_to_transform !== null && raw.layers_to_transform !== undefined)
    refuse('layers_to_transform is set');
  const task = raw.task_type;
  if (task !== 'SEQ_CLS' && task !== 'CAUSAL_LM')
    throw new LoraConfigError(
      `${where}: task_type is ${JSON.stringify(task)}; WebTune applies SEQ_CLS and CAUSAL_LM adapters`,
    );
  const targets = raw.target_modules;
  const target_modules =
    targets === 'all-linear'
      ? 'all-linear'
      : Array.isArray(targets) && targets.every((t) => typeof t === 'string')
        ? (targets as string[])
        : refuse(`target_modules ${JSON.stringify(targets)} is not a list of module names`);
  const saved = raw.modules_to_save;
  const num = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number') throw new LoraConfigError(`${where}: ${key} is not a number`);
    return v;
  };
  return {
    r: num('r', 8),
    lora_alpha: num('lora_alpha', 8),
    lora_dropout: num('lora_dropout', 0),
    target_modules,
    modules_to_save: Array.isArray(saved) ? (saved as string[]) : null,
    fan_in_fan_out: raw.fan_in_fan_out === true,
    use_rslora: raw.use_rslora === true,
    task_type: task,
    base_model_name_or_path:
      typeof raw.base_model_name_or_path === 'string' ? raw.base_model_name_or_path : null,
    revision: typeof raw.revision === 'string' ? raw.revision : null,
  };
}
