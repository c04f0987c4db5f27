// Generation metrics on the validation prompts: corpus BLEU exactly as sacrebleu 2.x computes it by default
// (13a tokenisation, exponential smoothing, max n-gram order 4, one reference per hypothesis; 0–100) and ROUGE-L
// as Google's rouge_score defines it (lower-cased alphanumeric tokens, longest common subsequence, F-measure),
// averaged over the examples (0–1), as Hugging Face evaluate's `rouge` reports rougeL.

/** sacrebleu's TokenizerV13a: mteval-v13a's tokenisation (language independent part + western punctuation). */
export function tokenize13a(text: string): string {
  let line = text
    .replace(/<skipped>/g, '')
    .replace(/-\n/g, '')
    .replace(/\n/g, ' ');
  if (line.includes('&'))
    line = line
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  line = ` ${line} `;
  line = line.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ');
  line = line.replace(/([^0-9])([.,])/g, '$1 $2 ');
  line = line.replace(/([.,])([^0-9])/g, ' $1 $2');
  line = line.replace(/([0-9])(-)/g, '$1 $2 ');
  return pythonSplit(line).join(' ');
}

/** Python's str.split(): runs of whitespace as Python counts it (JavaScript's \s plus \x1c–\x1f). */
function pythonSplit(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- Python's whitespace includes these separators
  return text.split(/[\s\x1c-\x1f\x85]+/).filter((t) => t.length > 0);
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface BleuScore {
  /** 0–100, as sacrebleu's `score`. */
  score: number;
  /** Modified n-gram precisions, 0–100. */
  precisions: number[];
  brevityPenalty: number;
  sysLen: number;
  refLen: number;
}

/** sacrebleu.corpus_bleu(hypotheses, [references]) with its defaults. */
export function corpusBleu(hypotheses: readonly string[], references: readonly string[]): BleuScore {
  if (hypotheses.length !== references.length)
    throw new Error(`${hypotheses.length} hypotheses but ${references.length} references`);
  const order = 4;
  const correct = new Array<number>(order).fill(0);
  const total = new Array<number>(order).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((h, i) => {
    // BLEU._preprocess_segment: the tokeniser on the right-stripped segment.
    const hyp = tokenize13a(h.trimEnd())
      .split(' ')
      .filter((t) => t !== '');
    const ref = tokenize13a(references[i]!.trimEnd())
      .split(' ')
      .filter((t) => t !== '');
    sysLen += hyp.length;
    refLen += ref.length;
    for (let n = 1; n <= order; n++) {
      const refCounts = ngramCounts(ref, n);
      for (const [gram, count] of ngramCounts(hyp, n))
        correct[n - 1]! += Math.min(count, refCounts.get(gram) ?? 0);
      total[n - 1]! += Math.max(0, hyp.length - n + 1);
    }
  });
  const precisions = new Array<number>(order).fill(0);
  const brevityPenalty = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  // sacrebleu stops early when nothing matches at any order (its issue #141): score 0, precisions 0.
  if (!correct.some((c) => c > 0)) return { score: 0, precisions, brevityPenalty, sysLen, refLen };
  let smooth = 1;
  for (let n = 1; n <= order; n++) {
    if (total[n - 1] === 0) break;
    if (correct[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * total[n - 1]!);
    } else precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!;
  }
  const myLog = (x: number) => (x === 0 ? -9999999999 : Math.log(x));
  const score = brevityPenalty * Math.exp(precisions.reduce((s, p) => s + myLog(p), 0) / order);
  return { score, precisions, brevityPenalty, sysLen, refLen };
}

/** rouge_score's default tokenizer: lower case, runs of anything but [a-z0-9] separate tokens. */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/)
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]!);
      diag = up;
    }
  }
  return row[b.length]!;
}

/** ROUGE-L F-measure of one prediction against its reference (rouge_score's rougeL, no stemming). */
export function rougeL(prediction: string, reference: string): number {
  const p = rougeTokens(prediction);
  const r = rougeTokens(reference);
  if (p.length === 0 || r.length === 0) return 0;
  const lcs = lcsLength(r, p);
  const precision = lcs / p.length;
  const recall = lcs / r.length;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** The mean ROUGE-L F-measure over the examples. */
export function meanRougeL(predictions: readonly string[], references: readonly string[]): number {
  if (predictions.length !== references.length)
    throw new Error(`${predictions.length} predictions but ${references.length} references`);
  if (predictions.length === 0) return 0;
  return predictions.reduce((s, p, i) => s + rougeL(p, references[i]!), 0) / predictions.length;
}
