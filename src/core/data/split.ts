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
