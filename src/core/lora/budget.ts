// Pure functions for the Train form and the CLI: how many parameters a run trains (and their share of the
// model), and an estimate of the memory each training mode holds. The estimate counts the tensors that live
// through a run (weights, gradients of what trains, AdamW's two moments), all float32; activations depend on
// batch size and length and are left out (npm run bench measures the whole).
import type { TrainingMode } from '../train/arguments';
import { planLora, type LoraTarget } from './attach';
import type { LoraConfig } from './config';

export interface ParameterCount {
  /** Parameters of the whole model, adapters included. */
  total: number;
  /** Parameters that train. */
  trainable: number;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The model's parameters and, with adapters attached, the trainable ones (adapters + modules_to_save). */
export function countParameters(model: LoraTarget): ParameterCount {
  let base = 0;
  for (const v of model.variables.values()) base += size(v.shape);
  if (!model.lora) return { total: base, trainable: base };
  let trainable = 0;
  let adapters = 0;
  for (const [name, v] of model.lora.trainableVariables()) {
    trainable += size(v.shape);
    if (/\.lora_[AB]\.weight$/.test(name)) adapters += size(v.shape);
  }
  return { total: base + adapters, trainable };
}

/** What a LoRA config would train on this model, before attaching it: r·(in + out) per layer + saved modules. */
export function loraParameterCount(model: LoraTarget, config: LoraConfig): ParameterCount {
  const plan = planLora(model, config);
  let base = 0;
  for (const v of model.variables.values()) base += size(v.shape);
  let adapters = 0;
  for (const [, m] of plan.targeted) adapters += config.r * (m.weight.shape[0]! + m.weight.shape[1]!);
  let saved = 0;
  for (const name of plan.savedVariableNames) saved += size(model.variables.get(name)!.shape);
  return { total: base + adapters, trainable: adapters + saved };
}

/** 295000 → "295k", 4400000 → "4.4M", as a person reads counts. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${trim(n / 1e9)}B`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e3) return `${trim(n / 1e3)}k`;
  return String(n);
}

function trim(x: number): string {
  return x >= 100
    ? x.toFixed(0)
    : x >= 10
      ? x.toFixed(1).replace(/\.0$/, '')
      : x.toFixed(1).replace(/\.0$/, '');
}

/** "295k of 4.4M, 6.7 %": the trainable count and its share of the model. */
export function formatParameterShare(count: ParameterCount): string {
  const share = (100 * count.trainable) / Math.max(count.total, 1);
  return `${formatCount(count.trainable)} of ${formatCount(count.total)}, ${share < 0.1 ? share.toPrecision(1) : share.toFixed(1)} %`;
}

export interface MemoryEstimate {
  /** Bytes of the weights (the frozen base and what trains). */
  weights: number;
  /** Bytes of the gradients and the two AdamW moments of what trains. */
  training: number;
  total: number;
}

/**
 * Bytes a training mode keeps for the whole run, float32: every weight once, and for each trained parameter
 * its gradient and two moments (full fine-tuning: four copies of the model; LoRA: the base once plus four
 * copies of the adapters). `trainable` is the mode's trainable count (countParameters / loraParameterCount;
 * for `head` and `frozen-embeddings`, the sizes of the variables those modes train).
 */
export function trainingMemoryEstimate(mode: TrainingMode, count: ParameterCount): MemoryEstimate {
  const trained = mode === 'full' ? count.total : count.trainable;
  const weights = 4 * count.total;
  const training = 3 * 4 * trained;
  return { weights, training, total: weights + training };
}
