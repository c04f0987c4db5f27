// The engine's weights, copied off the device into host memory under their transformers names: the TensorMap
// the export writes. Only types come from tfjs here; the variables bring their own backend.
import type * as tf from '@tensorflow/tfjs';
import type { TensorMap } from '../hub/tensors';

export class ExportReadError extends Error {}

/**
 * Reads every variable (one at a time, so at most one extra copy is in flight) into float32 host arrays.
 * Takes `SequenceClassifier['variables']`.
 */
export async function classifierWeights(variables: ReadonlyMap<string, tf.Variable>): Promise<TensorMap> {
  const out: TensorMap = new Map();
  for (const [name, variable] of variables) {
    if (variable.isDisposed)
      throw new ExportReadError(`variable ${name} was disposed before the export read it`);
    if (variable.dtype !== 'float32') {
      throw new ExportReadError(
        `variable ${name} is ${variable.dtype}; the export writes float32 weights only`,
      );
    }
    const data = await variable.data<'float32'>();
    out.set(name, {
      shape: [...variable.shape],
      data: data instanceof Float32Array ? data : Float32Array.from(data),
    });
  }
  return out;
}
