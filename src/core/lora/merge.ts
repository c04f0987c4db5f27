// The merged model: every adapted weight with its update folded in, W + scale·B·A (for a Conv1D, stored
// [in, out], the transpose (B·A)ᵀ is added), keyed as the model's own variables, so the ordinary export writes
// a model that loads without PEFT.
import * as tf from '@tensorflow/tfjs';

import { PT_METADATA, writeSafetensors } from '../export/safetensors-writer';
import type { TensorMap } from '../hub/tensors';
import type { HFConfig } from '../models/types';
import type { LoraTarget } from './attach';

/** The model's weights with the adapters merged in, in host memory; the model itself is left unchanged. */
export async function mergedWeights(model: LoraTarget): Promise<TensorMap> {
  const merged = new Map<tf.Variable, tf.Tensor>();
  for (const { module, adapter } of model.lora?.adapters.values() ?? []) {
    merged.set(
      module.weight,
      tf.tidy(() => {
        const delta = tf.mul(tf.matMul(adapter.b, adapter.a), adapter.scale); // [out, in]
        return tf.add(module.weight, module.layout === 'in-out' ? tf.transpose(delta) : delta);
      }),
    );
  }
  const out: TensorMap = new Map();
  try {
    for (const [name, v] of model.variables) {
      const t = merged.get(v) ?? v;
      out.set(name, { shape: v.shape.slice(), data: (await t.data()) as Float32Array });
    }
  } finally {
    for (const t of merged.values()) t.dispose();
  }
  return out;
}

/**
 * A merged causal LM as the ordinary Hugging Face folder: the base config.json as it was and model.safetensors
 * with the merged weights under save_pretrained's names (a tied lm_head is not a variable, so it is left out
 * as save_pretrained leaves it out).
 */
export async function mergedCausalLmFiles(
  model: LoraTarget & { config: HFConfig },
): Promise<Map<string, Uint8Array>> {
  return new Map([
    ['config.json', new TextEncoder().encode(`${JSON.stringify(model.config, null, 2)}\n`)],
    ['model.safetensors', writeSafetensors(await mergedWeights(model), PT_METADATA)],
  ]);
}
