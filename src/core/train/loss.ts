// Cross-entropy over logits with optional label smoothing, torch.nn.CrossEntropyLoss's definition (which the
// Trainer's LabelSmoother matches): (1 − ε)·(−log p_y) + ε · mean over classes of (−log p_k), averaged over the batch.
import * as tf from '@tensorflow/tfjs';

/** Mean loss over the batch. `labels`: int32 class indices [batch]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  if (labelSmoothing < 0 || labelSmoothing >= 1)
    throw new RangeError(`label_smoothing_factor must be in [0, 1), got ${labelSmoothing}`);
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const logProbs = tf.logSoftmax(logits);
    // Cast explicitly: oneHot's dtype argument is ignored by the wasm kernel (int32 bits read as float32).
    const oneHot = tf.oneHot(labels.toInt(), numClasses).toFloat();
    const nll = logProbs.mul(oneHot).sum(1).neg();
    if (labelSmoothing === 0) return nll.mean() as tf.Scalar;
    const smooth = logProbs.mean(1).neg();
    return nll
      .mul(1 - labelSmoothing)
      .add(smooth.mul(labelSmoothing))
      .mean() as tf.Scalar;
  });
}
