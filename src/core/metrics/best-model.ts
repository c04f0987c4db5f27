// Which evaluation is the best, and when to stop early, with transformers' rules: metric_for_best_model
// defaults to the loss, names gain an `eval_` prefix, greater_is_better defaults to "not a loss", and
// EarlyStoppingCallback counts evaluations that fail to beat the best by more than the threshold.

/** `accuracy` → `eval_accuracy`; `loss` → `eval_loss`; an `eval_` name is kept. */
export function metricKey(metricForBestModel = 'loss'): string {
  return metricForBestModel.startsWith('eval_') ? metricForBestModel : `eval_${metricForBestModel}`;
}

/** transformers' default for greater_is_better: false for a metric whose name ends with "loss", else true. */
export function defaultGreaterIsBetter(metricForBestModel = 'loss'): boolean {
  return !metricForBestModel.endsWith('loss');
}

export interface BestModelRule {
  /** The key in the evaluation record, e.g. `eval_loss`. */
  key: string;
  greaterIsBetter: boolean;
}

export function bestModelRule(metricForBestModel?: string, greaterIsBetter?: boolean): BestModelRule {
  const name = metricForBestModel ?? 'loss';
  return { key: metricKey(name), greaterIsBetter: greaterIsBetter ?? defaultGreaterIsBetter(name) };
}

/** Reads the rule's metric from an evaluation record, failing clearly when the evaluation did not produce it. */
export function metricValue(record: Record<string, number>, rule: BestModelRule): number {
  const value = record[rule.key];
  if (typeof value !== 'number')
    throw new Error(
      `metric_for_best_model "${rule.key}" is not among the evaluation metrics (${Object.keys(record).join(', ')})`,
    );
  return value;
}

/** Strictly better than the best so far (the Trainer's np.greater / np.less), or the first value. */
export function isImprovement(value: number, best: number | undefined, rule: BestModelRule): boolean {
  if (best === undefined) return true;
  return rule.greaterIsBetter ? value > best : value < best;
}

export interface EarlyStoppingState {
  patienceCounter: number;
}

/**
 * EarlyStoppingCallback.check_metric_value: compares with the best metric so far (before this evaluation
 * updates it). Returns the new state and whether training should stop.
 */
export function earlyStoppingCheck(
  state: EarlyStoppingState,
  value: number,
  bestSoFar: number | undefined,
  rule: BestModelRule,
  patience: number,
  threshold = 0,
): { state: EarlyStoppingState; shouldStop: boolean } {
  const improved =
    bestSoFar === undefined ||
    (isImprovement(value, bestSoFar, rule) && Math.abs(value - bestSoFar) > threshold);
  const patienceCounter = improved ? 0 : state.patienceCounter + 1;
  return { state: { patienceCounter }, shouldStop: patienceCounter >= patience };
}
