// Corpus BLEU and ROUGE-L of generated text against the Python references on the same strings: sacrebleu 2.6's
// corpus_bleu (13a tokenisation, exp smoothing) and its 13a tokeniser, and ROUGE-L as rouge_score defines it,
// written here independently in Python (rouge_score is not in the reference stack).
import { describe, expect, it } from 'vitest';

import { corpusBleu, meanRougeL, rougeL, tokenize13a } from '../../src/core/metrics/generation';
import { runPythonStack } from '../support/python';

const HYPOTHESES = [
  'The cat sat on the mat.',
  'Stocks fell 3.5% on Monday, as oil-prices rose to $80.',
  'He said &quot;hello&quot; &amp; left -\nquickly',
  '',
  'A completely different sentence with no overlap whatsoever',
  'Numbers like 1,000 and 2.5 stay; 10-20 splits.',
  'Ünïcode wörds — and “quotes” {braces} [brackets] <tags> a/b',
  'repeat repeat repeat repeat',
  'short',
];
const REFERENCES = [
  'The cat is sitting on the mat.',
  'Stocks fell 3.5 % on Monday as oil prices rose to $ 80 .',
  'He said "hello" & left quickly',
  'An empty hypothesis gets nothing.',
  'Nothing in common here at all.',
  'Numbers like 1,000 and 2.5 stay; 10 - 20 splits.',
  'Unicode words — and "quotes" {braces} [brackets] <tags> a / b',
  'repeat once',
  'a much longer reference than the hypothesis',
];

const PYTHON = `
import json, sys, re
import sacrebleu
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
d = json.load(sys.stdin)
tok = Tokenizer13a()
def corpus(h, r):
    b = sacrebleu.corpus_bleu(h, [r])
    return {"score": b.score, "precisions": b.precisions, "bp": b.bp, "sys_len": b.sys_len, "ref_len": b.ref_len}
def tokens(t):
    t = t.lower()
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return [x for x in re.split(r"\\s+", t) if re.match(r"^[a-z0-9]+$", x)]
def lcs(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = table[i-1][j-1] + 1 if a[i-1] == b[j-1] else max(table[i-1][j], table[i][j-1])
    return table[-1][-1]
def rouge_l(pred, ref):
    p, r = tokens(pred), tokens(ref)
    if not p or not r:
        return 0.0
    n = lcs(r, p)
    prec, rec = n / len(p), n / len(r)
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)
print(json.dumps({
    "tokenized": [tok(s) for s in d["h"] + d["r"]],
    "corpus": corpus(d["h"], d["r"]),
    "each": [corpus([h], [r]) for h, r in zip(d["h"], d["r"])],
    "rouge": [rouge_l(h, r) for h, r in zip(d["h"], d["r"])],
}))
`;

interface PyBleu {
  score: number;
  precisions: number[];
  bp: number;
  sys_len: number;
  ref_len: number;
}

describe('generation metrics against sacrebleu and a reference ROUGE-L', () => {
  const py = runPythonStack<{ tokenized: string[]; corpus: PyBleu; each: PyBleu[]; rouge: number[] }>(
    PYTHON,
    {
      h: HYPOTHESES,
      r: REFERENCES,
    },
  );

  it('tokenises as sacrebleu 13a', () => {
    expect([...HYPOTHESES, ...REFERENCES].map(tokenize13a)).toEqual(py.tokenized);
  });

  it('gives sacrebleu’s corpus BLEU, and its BLEU of each pair alone', () => {
    const check = (ours: ReturnType<typeof corpusBleu>, theirs: PyBleu) => {
      expect(ours.score).toBeCloseTo(theirs.score, 10);
      expect(ours.precisions).toEqual(theirs.precisions.map((p) => expect.closeTo(p, 10)));
      expect(ours.brevityPenalty).toBeCloseTo(theirs.bp, 12);
      expect([ours.sysLen, ours.refLen]).toEqual([theirs.sys_len, theirs.ref_len]);
    };
    check(corpusBleu(HYPOTHESES, REFERENCES), py.corpus);
    expect(py.corpus.score).toBeGreaterThan(0);
    HYPOTHESES.forEach((h, i) => check(corpusBleu([h], [REFERENCES[i]!]), py.each[i]!));
  });

  it('gives the reference ROUGE-L F-measure per pair and its mean', () => {
    HYPOTHESES.forEach((h, i) => expect(rougeL(h, REFERENCES[i]!)).toBeCloseTo(py.rouge[i]!, 12));
    const mean = py.rouge.reduce((a, b) => a + b, 0) / py.rouge.length;
    expect(meanRougeL(HYPOTHESES, REFERENCES)).toBeCloseTo(mean, 12);
    expect(mean).toBeGreaterThan(0);
  });
});
