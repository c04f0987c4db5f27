// Stratified train / validation split: each class is shuffled with a seeded generator and the same share of
// it goes to validation, so a seed always gives the same split and every class is in both sides when it can be.
import { createRng, shuffle } from '../random';

/**
 * Returns, for each item, whether it goes to validation. A class of n ≥ 2 items puts round(n·share) of them in
 * validation, at least one and never all; a class of one stays in training.
 */
export function stratifiedSplit(labels: readonly number[], share: number, seed: number): boolean[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = byClass.get(label);
    if (list) list.push(i);
    else byClass.set(label, [i]);
  });
  const rng = createRng(seed);
  const inValidation = new Array<boolean>(labels.length).fill(false);
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const indices = shuffle(byClass.get(label)!, rng);
    const n = indices.length;
    if (n < 2 || share <= 0) continue;
    const take = Math.min(n - 1, Math.max(1, Math.round(n * share)));
    for (let k = 0; k < take; k++) inValidation[indices[k]!] = true;
  }
  return inValidation;
}

/** What the stratified split did, in terms a person can check against the class counts. */
export interface SplitSummary {
  /** The share asked for. */
  requestedShare: number;
  /** The share that went to validation: validation rows / (train + validation rows); 0 when there are none. */
  actualShare: number;
  rows: number;
  validationRows: number;
  /** Classes with a single row: it stays in training, so nothing measures them. */
  notValidated: string[];
  /** Classes measured on one validation row only: their scores are 0 or 1. */
  oneValidationRow: string[];
  /** Classes too small for their share to round to a row, given one anyway (why the share can exceed the ask). */
  roundedUp: string[];
}

/** Describes the split `stratifiedSplit` made, from the class counts on each side. */
export function describeSplit(
  labels: readonly string[],
  train: readonly number[],
  validation: readonly number[],
  share: number,
): SplitSummary {
  const sum = (n: readonly number[]) => n.reduce((a, b) => a + b, 0);
  const rows = sum(train) + sum(validation);
  const validationRows = sum(validation);
  const pick = (test: (n: number, v: number) => boolean) =>
    labels.filter((_l, i) => test((train[i] ?? 0) + (validation[i] ?? 0), validation[i] ?? 0));
  return {
    requestedShare: share,
    actualShare: rows === 0 ? 0 : validationRows / rows,
    rows,
    validationRows,
    notValidated: pick((n, v) => n > 0 && v === 0),
    oneValidationRow: pick((_n, v) => v === 1),
    roundedUp: pick((n, v) => v === 1 && Math.round(n * share) === 0),
  };
}
