// Stratified train / validation split: each class is shuffled with a seeded generator and the same share of
// it goes to validation, so a seed always gives the same split and every class is in both sides when it can be.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

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
  const random = mulberry32(seed);
  const inValidation = new Array<boolean>(labels.length).fill(false);
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const indices = shuffleInPlace(byClass.get(label)!, random);
    const n = indices.length;
    if (n < 2 || share <= 0) continue;
    const take = Math.min(n - 1, Math.max(1, Math.round(n * share)));
    for (let k = 0; k < take; k++) inValidation[indices[k]!] = true;
  }
  return inValidation;
}
