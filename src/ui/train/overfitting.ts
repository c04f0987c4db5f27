// The overfitting warning: validation loss going up while the (smoothed) training loss keeps going down means the
// model has started to learn the training rows rather than the task.

export interface EvalPoint {
  step: number;
  evalLoss: number;
  /** The smoothed training loss at the time of this evaluation. */
  trainLoss?: number;
}

export interface OverfittingWarning {
  /** Evaluations in a row whose loss rose. */
  rises: number;
  /** The evaluation with the lowest loss so far. */
  bestStep: number;
  message: string;
  advice: string[];
}

/**
 * Warns once the validation loss has risen at the latest evaluation, above its best by more than `tolerance`
 * (relative), while the training loss fell over the same evaluations.
 */
export function detectOverfitting(
  points: readonly EvalPoint[],
  tolerance = 0.02,
): OverfittingWarning | undefined {
  if (points.length < 2) return undefined;
  let best = points[0] as EvalPoint;
  for (const p of points) if (p.evalLoss < best.evalLoss) best = p;
  const last = points[points.length - 1] as EvalPoint;
  const previous = points[points.length - 2] as EvalPoint;
  if (!(last.evalLoss > previous.evalLoss) || !(last.evalLoss > best.evalLoss * (1 + tolerance)))
    return undefined;
  let rises = 0;
  for (
    let i = points.length - 1;
    i > 0 && (points[i] as EvalPoint).evalLoss > (points[i - 1] as EvalPoint).evalLoss;
    i--
  )
    rises++;
  const from = points[points.length - 1 - rises] as EvalPoint;
  if (from.trainLoss === undefined || last.trainLoss === undefined || !(last.trainLoss < from.trainLoss))
    return undefined;
  return {
    rises,
    bestStep: best.step,
    message:
      `Possible overfitting: the validation loss rose from ${best.evalLoss.toFixed(4)} (step ${best.step}) ` +
      `to ${last.evalLoss.toFixed(4)} (step ${last.step}) while the training loss fell from ` +
      `${from.trainLoss.toFixed(4)} to ${last.trainLoss.toFixed(4)}.`,
    advice: [
      `keep the best checkpoint (step ${best.step}) rather than the last one`,
      'train for fewer epochs, or set early_stopping_patience',
      'raise weight_decay or label_smoothing_factor',
      'lower the learning_rate',
      'add more (or more varied) training data',
    ],
  };
}
