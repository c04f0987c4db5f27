// Softmax and cross-entropy on logits already read back from the device, in float64.

/** log-softmax of one row of logits (max subtracted first, so large logits do not overflow). */
export function logSoftmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const logSum = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - max - logSum);
}

export function softmax(row: readonly number[]): number[] {
  return logSoftmax(row).map(Math.exp);
}

/**
 * The mean cross-entropy of rows of logits against label indices, with label smoothing ε as
 * torch.nn.CrossEntropyLoss defines it: (1 − ε)·(−log p_y) + ε · mean over classes of (−log p_k).
 */
export function meanCrossEntropy(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  labelSmoothing = 0,
): number {
  if (logits.length !== labels.length)
    throw new Error(`${logits.length} rows of logits but ${labels.length} labels`);
  if (labelSmoothing < 0 || labelSmoothing >= 1)
    throw new RangeError(`label_smoothing_factor must be in [0, 1), got ${labelSmoothing}`);
  let sum = 0;
  logits.forEach((row, i) => {
    const logProbs = logSoftmax(row);
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= row.length)
      throw new RangeError(`Label ${label} is not one of the ${row.length} classes`);
    const nll = -(logProbs[label] as number);
    const uniform = -logProbs.reduce((s, v) => s + v, 0) / row.length;
    sum += (1 - labelSmoothing) * nll + labelSmoothing * uniform;
  });
  return sum / logits.length;
}
