// Clipping by global norm with torch.nn.utils.clip_grad_norm_'s semantics: the L2 norm over all gradients
// together, and a scale of min(1, maxNorm / (norm + 1e-6)) applied to every gradient.
import * as tf from '@tensorflow/tfjs';

export interface ClippedGradients {
  grads: Map<string, tf.Tensor>;
  /** The norm before clipping (what the Trainer logs as grad_norm). */
  totalNorm: tf.Scalar;
}

/** The global L2 norm of a set of gradients, as a scalar tensor. */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    // A chain of adds, not tf.addN: on webgpu addN binds one storage buffer per input, and past the device's
    // limit (8 on many GPUs; a BERT has ~40 gradients) its pipeline is invalid and the norm comes out wrong.
    let total: tf.Tensor = tf.scalar(0);
    for (const g of grads) total = total.add(g.square().sum());
    return total.sqrt() as tf.Scalar;
  });
}

/**
 * Scales `grads` so that their global norm is at most `maxNorm`. Returns new tensors (the inputs are not
 * disposed); the caller owns the result. maxNorm ≤ 0 or Infinity turns clipping off but still measures the norm.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): ClippedGradients {
  const names = [...grads.keys()];
  // tf.tidy keeps tensors returned in arrays and objects, not in Maps: return an array, rebuild the Map after.
  const [totalNorm, ...clipped] = tf.tidy(() => {
    const norm = globalNorm(grads.values());
    const gs = [...grads.values()];
    if (!(maxNorm > 0) || maxNorm === Infinity) return [norm, ...gs.map((g) => g.clone())];
    const coef = tf.minimum(tf.scalar(maxNorm).div(norm.add(1e-6)), 1);
    return [norm, ...gs.map((g) => g.mul(coef))];
  });
  return {
    grads: new Map(names.map((name, i) => [name, clipped[i] as tf.Tensor])),
    totalNorm: totalNorm as tf.Scalar,
  };
}
