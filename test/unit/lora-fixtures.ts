// Helpers shared by the LoRA tests (unit and webgpu): the PEFT adapters in each decoder fixture's lora-init/,
// the loss with one applied, and five adapter-only AdamW steps as the fixtures' reference.json records them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import type { CausalLM } from '../../src/core/models/causal-lm';
import { attachLora } from '../../src/core/lora/attach';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  parseAdapter,
  type ReadAdapter,
} from '../../src/core/lora/adapter-files';
import { AdamW } from '../../src/core/train/adamw';
import type { DecoderFixture } from './decoder-fixtures';

export interface LoraReference {
  adapter_dir: string;
  target_modules: string[];
  r: number;
  lora_alpha: number;
  loss_with_adapter: number;
  train_5_steps_loss_before_step: number[];
}

export function loraReference(fixture: DecoderFixture): LoraReference {
  const lora = (fixture.reference as unknown as { lora?: LoraReference }).lora;
  if (!lora) throw new Error(`${fixture.dir}/reference.json has no lora entry`);
  return lora;
}

/** A PEFT adapter folder read from disk. */
export function readAdapterFolder(dir: string): ReadAdapter {
  return parseAdapter(
    new Uint8Array(readFileSync(join(dir, ADAPTER_CONFIG_FILE))),
    new Uint8Array(readFileSync(join(dir, ADAPTER_WEIGHTS_FILE))),
    dir,
  );
}

/** The fixture's lora-init adapter attached to the model, with PEFT's values. */
export function attachFixtureAdapter(model: CausalLM, fixture: DecoderFixture): void {
  const adapter = readAdapterFolder(join(fixture.dir, loraReference(fixture).adapter_dir));
  attachLora(model, adapter.config, { seed: 0, weights: adapter.weights, modelName: fixture.id });
}

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');

/** The reference batch's loss (labels = ids, padding ignored), dropout off. */
export async function batchLoss(model: CausalLM, fixture: DecoderFixture): Promise<number> {
  const r = fixture.reference;
  const inputs = { inputIds: ids(r.input_ids), attentionMask: ids(r.attention_mask) };
  const loss = model.loss(inputs, undefined, { training: false });
  const value = (await loss.data())[0]!;
  tf.dispose([loss, inputs.inputIds, inputs.attentionMask]);
  return value;
}

/**
 * `steps` AdamW steps (lr 1e-3, weight decay 0.01, eps 1e-8, no clipping, no schedule) of the attached
 * adapter only, dropout off, on the reference batch: the loss before each step.
 */
export async function trainAdapterSteps(
  model: CausalLM,
  fixture: DecoderFixture,
  steps = 5,
): Promise<number[]> {
  if (!model.lora) throw new Error('attach an adapter first');
  const params = model.lora.trainableVariables();
  const optimizer = new AdamW(params, { weightDecay: 0.01, epsilon: 1e-8 });
  const r = fixture.reference;
  const inputs = { inputIds: ids(r.input_ids), attentionMask: ids(r.attention_mask) };
  const varList = [...params.values()];
  const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { value, grads } = tf.variableGrads(
      () => model.loss(inputs, undefined, { training: false }),
      varList,
    );
    losses.push((await value.data())[0]!);
    const named = new Map(Object.entries(grads).map(([name, g]) => [keyOf.get(name)!, g]));
    optimizer.applyGradients(named, 1e-3);
    tf.dispose([value, ...Object.values(grads)]);
  }
  optimizer.dispose();
  tf.dispose([inputs.inputIds, inputs.attentionMask]);
  return losses;
}
