import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { argmaxRows, classificationMetrics, confusionMatrix } from '../../src/core/metrics/classification';
import { runPython } from '../support/python';

// sklearn is not installed; this is its precision_recall_fscore_support / confusion_matrix arithmetic with
// labels=range(K), zero_division=0, written independently in numpy.
const METRICS_PY = `
import json, sys
import numpy as np
out = []
for case in json.load(sys.stdin):
    t, p, K = np.array(case['true'], dtype=int), np.array(case['pred'], dtype=int), case['k']
    cm = np.zeros((K, K), dtype=int)
    np.add.at(cm, (t, p), 1)
    tp = np.diag(cm).astype(float); pred = cm.sum(0).astype(float); sup = cm.sum(1).astype(float)
    div = lambda a, b: np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))
    prec, rec = div(tp, pred), div(tp, sup)
    f1 = div(2 * prec * rec, prec + rec)
    w = lambda x: float((x * sup).sum() / sup.sum()) if sup.sum() else 0.0
    out.append(dict(cm=cm.tolist(), accuracy=float(tp.sum() / len(t)), precision=prec.tolist(), recall=rec.tolist(),
        f1=f1.tolist(), support=sup.tolist(), macroF1=float(f1.mean()), weightedF1=w(f1),
        macroPrecision=float(prec.mean()), macroRecall=float(rec.mean()), weightedPrecision=w(prec), weightedRecall=w(rec)))
json.dump(out, sys.stdout)
`;

describe('classification metrics', () => {
  it('match the sklearn definitions (numpy reference) on random label sets, zero_division=0 included', () => {
    const cases = fc.sample(
      fc.integer({ min: 1, max: 5 }).chain((k) =>
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.record({
            k: fc.constant(k),
            true: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
            pred: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
          }),
        ),
      ),
      { numRuns: 60, seed: 5 },
    );
    // A class never predicted and one absent from both sides: the zero_division cases.
    cases.push({ k: 4, true: [0, 0, 1, 1, 2], pred: [0, 1, 1, 1, 1] });
    type Ref = ReturnType<typeof classificationMetrics> & { cm: number[][] };
    const refs = runPython<Ref[]>(METRICS_PY, cases);
    cases.forEach((c, i) => {
      const ours = classificationMetrics(c.true, c.pred, c.k);
      const ref = refs[i]!;
      expect(ours.confusionMatrix).toEqual(ref.cm);
      expect(ours.support).toEqual(ref.support);
      for (const key of ['precision', 'recall', 'f1'] as const)
        ours[key].forEach((x, j) => expect(x, `${key}[${j}] case ${i}`).toBeCloseTo(ref[key][j]!, 12));
      for (const key of [
        'accuracy',
        'macroF1',
        'weightedF1',
        'macroPrecision',
        'macroRecall',
        'weightedPrecision',
        'weightedRecall',
      ] as const)
        expect(ours[key], `${key} case ${i}`).toBeCloseTo(ref[key], 12);
    });
  });

  it('names bad input', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow('confusionMatrix: 2 true labels but 1 predictions');
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(
      'confusionMatrix: true label 2 at index 1 is not a class index in [0, 2)',
    );
  });

  it('argmaxRows takes the first maximum, as numpy does', () => {
    expect(argmaxRows([0.1, 0.9, 0.5, 3, 3, 1, -1, -2, -1], 3)).toEqual([1, 0, 0]);
  });
});
