// Ops with hand-written gradients (tf.customGrad) that stand for a chain of tfjs ops in the encoder.
//
// Under tf.variableGrads every intermediate tensor of the forward pass stays alive until the backward pass,
// because the tape holds them. The exact GELU composed from tfjs ops leaves five [tokens × intermediate]
// tensors per layer, and scaled, masked attention scores leave four [batch × heads × length × length] ones:
// a MiniLM-L6 step at batch 32 × 128 tokens then needs more than the wasm backend's 4 GiB heap, and aborts.
// A customGrad's forward runs untaped and frees its intermediates, so each op below keeps only what its
// gradient needs. The maths is the same as the composition; the tests compare both, values and gradients.
import * as tf from '@tensorflow/tfjs';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** 0.5·x·(1 + erf(x/√2)), the exact GELU, keeping only x for the gradient. */
export const fusedGelu: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x, save) => {
  const xt = x as tf.Tensor;
  // cdf = Φ(x) = 0.5·(1 + erf(x/√2))
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(xt, Math.SQRT1_2)), 1), 0.5);
  (save as tf.GradSaveFunc)([xt]);
  return {
    value: tf.mul(xt, cdf),
    // d/dx x·Φ(x) = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π)
    gradFunc: (dy, saved) => {
      const [xs] = saved as [tf.Tensor];
      const phi = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
      const cdfS = tf.mul(tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1), 0.5);
      return tf.mul(dy as tf.Tensor, tf.add(cdfS, tf.mul(xs, phi)));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * softmax(q·kᵀ / divisor + mask) over the last axis, for q, k [batch, heads, length, headSize] and an additive
 * mask broadcast to the scores (no gradient flows to the mask). Keeps q, k and the probabilities.
 */
export function attentionProbs(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  mask: tf.Tensor,
  divisor: number,
): tf.Tensor4D {
  const op = tf.customGrad((qIn, kIn, save) => {
    const qt = qIn as tf.Tensor4D;
    const kt = kIn as tf.Tensor4D;
    const probs = tf.softmax(tf.add(tf.div(tf.matMul(qt, kt, false, true), divisor), mask), -1);
    (save as tf.GradSaveFunc)([qt, kt, probs]);
    return {
      value: probs,
      gradFunc: (dy, saved) => {
        const [qs, ks, p] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const dp = dy as tf.Tensor4D;
        // softmax's gradient: p·(dp − Σ dp·p), then the division; the scores' gradient feeds both matMuls.
        const dScores = tf.div(tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true))), divisor);
        return [tf.matMul(dScores, ks), tf.matMul(dScores, qs, true, false)];
      },
    };
  });
  return op(q, k) as tf.Tensor4D;
}

/**
 * Σₙ wₙ · (logsumexp(logitsₙ) − logitsₙ[targetₙ]) for logits [rows, vocab], int32 targets [rows] and float
 * weights [rows] (1 / tokens counted, 0 for ignored rows): a language model's cross-entropy without a one-hot
 * and without a log-softmax copy of the logits. Over a 50k-token vocabulary this is most of a small model's
 * step outside its matMuls, so it makes as few passes over the logits as it can: their row maxima m, one
 * softmax p (a single kernel; tfjs-wasm's elementwise Exp is three times slower than its Softmax) and the maxima
 * of p. logsumexp is m − log(max p), exactly (max p = e^(m − logsumexp) = 1 / Σ e^(l − m), never below 1 / vocab,
 * so it cannot underflow as p at the target can). The tape keeps p in place of the logits, and the gradient is
 * wₙ · (pₙ − e_target): one multiplication, the e_target part scattered with UnsortedSegmentSum (gather's own
 * gradient).
 */
export function tokenCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const [rows, vocab] = logits.shape;
  const flatIndex = tf.tidy(() =>
    tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(vocab, 'int32')), tf.cast(targets, 'int32')),
  );
  const op = tf.customGrad((lg, save) => {
    const l = lg as tf.Tensor2D;
    const p = tf.softmax(l);
    const lse = tf.sub(tf.max(l, -1), tf.log(tf.max(p, -1)));
    const picked = tf.gather(tf.reshape(l, [-1]), flatIndex);
    // The index and weights are saved too: the tape keeps saved tensors alive until the backward pass.
    (save as tf.GradSaveFunc)([p, flatIndex, weights]);
    return {
      value: tf.sum(tf.mul(tf.sub(lse, picked), weights)),
      gradFunc: (dy, saved) => {
        const [probs, index, w] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const coef = tf.mul(w, dy as tf.Scalar);
        const scaled = tf.mul(probs, tf.reshape(coef, [rows, 1]));
        const atTarget = tf.unsortedSegmentSum(coef, index, rows * vocab);
        return tf.sub(scaled, tf.reshape(atTarget, [rows, vocab]));
      },
    };
  });
  const loss = op(logits) as tf.Scalar;
  flatIndex.dispose();
  return loss;
}

/**
 * LayerNorm over the last axis with the biased variance (torch.nn.functional.layer_norm): (x − μ)/√(σ² + ε)·γ + β.
 * The composition keeps about six [tokens × hidden] tensors per norm on the tape (the centred x, its square,
 * the scaled and shifted products); this keeps the normalised x̂ and the per-row 1/σ, and computes the
 * gradients in closed form: dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = dy·γ; dγ = Σ dy·x̂; dβ = Σ dy.
 */
export function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const hidden = x.shape[x.rank - 1]!;
  const shape = x.shape;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const rows = tf.reshape(xIn as tf.Tensor, [-1, hidden]);
    const centered = tf.sub(rows, tf.mean(rows, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
    const xhat = tf.mul(centered, rstd);
    (save as tf.GradSaveFunc)([xhat, rstd, gIn as tf.Tensor]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, gIn as tf.Tensor), bIn as tf.Tensor), shape),
      gradFunc: (dy, saved) => {
        const [xh, rs, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dyRows = tf.reshape(dy as tf.Tensor, [-1, hidden]);
        const dxhat = tf.mul(dyRows, g);
        const dx = tf.mul(
          rs,
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))),
        );
        return [tf.reshape(dx, shape), tf.sum(tf.mul(dyRows, xh), 0), tf.sum(dyRows, 0)];
      },
    };
  });
  return op(x, gamma, beta);
}
