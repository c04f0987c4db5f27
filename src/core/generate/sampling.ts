// Choosing the next token from the last position's logits, with transformers' logits processors and warpers in
// transformers' order: repetition penalty (also under greedy decoding), then temperature, top-k and top-p
// (sampling only), then a draw from the softmax with a seeded generator. Runs on the host: one row of
// vocabulary scores per step.
import type { Rng } from '../random';

/**
 * RepetitionPenaltyLogitsProcessor: the score of every token already in the sequence (prompt and output) is
 * divided by the penalty when positive and multiplied by it when negative. In place.
 */
export function applyRepetitionPenalty(scores: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(seen)) {
    const s = scores[id]!;
    scores[id] = s < 0 ? s * penalty : s / penalty;
  }
}

export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}

export interface SamplingWarpers {
  temperature: number;
  topK: number;
  topP: number;
}

/**
 * The tokens that may be drawn and their probabilities after temperature, top-k (ties with the k-th score
 * kept, as transformers' `scores < topk(...)[-1]` test) and top-p (the smallest set of most likely tokens whose
 * probability exceeds top_p; at least one token).
 */
export function warpedDistribution(
  scores: Float32Array,
  { temperature, topK, topP }: SamplingWarpers,
): { ids: number[]; probs: number[] } {
  const n = scores.length;
  let ids = Array.from({ length: n }, (_, i) => i);
  const scaled = (i: number) => scores[i]! / temperature;
  if (topK > 0 && topK < n) {
    const kth = Float32Array.from(scores)
      .sort()
      .at(n - topK)!;
    ids = ids.filter((i) => scores[i]! >= kth);
  }
  // Ascending, as transformers sorts for top-p.
  ids.sort((a, b) => scaled(a) - scaled(b) || b - a);
  const max = scaled(ids[ids.length - 1]!);
  const weights = ids.map((i) => Math.exp(scaled(i) - max));
  const total = weights.reduce((a, b) => a + b, 0);
  let probs = weights.map((w) => w / total);
  if (topP < 1) {
    let cumulative = 0;
    let first = 0;
    for (let j = 0; j < probs.length - 1; j++) {
      cumulative += probs[j]!;
      if (cumulative <= 1 - topP) first = j + 1;
      else break;
    }
    ids = ids.slice(first);
    const kept = probs.slice(first);
    const sum = kept.reduce((a, b) => a + b, 0);
    probs = kept.map((p) => p / sum);
  }
  return { ids, probs };
}

/** Draws one token from warpedDistribution with `rng` (multinomial sampling). */
export function sampleToken(scores: Float32Array, warpers: SamplingWarpers, rng: Rng): number {
  const { ids, probs } = warpedDistribution(scores, warpers);
  let u = rng.next();
  for (let j = probs.length - 1; j >= 0; j--) {
    u -= probs[j]!;
    if (u < 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}
