// The merged model: every adapted weight with its update folded in, W + scale·B·A (for a Conv1D, stored
// [in, out], the transpose (B·A)ᵀ is added), keyed as the model's own variables, so the ordinary export writes
// a model that loads without PEFT.
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
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
