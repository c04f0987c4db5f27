// Classification metrics over label indices, with scikit-learn's definitions and its zero_division=0 convention
// (a precision or recall whose denominator is 0 counts as 0). Plain arrays only: no tfjs here.

/** counts[t][p]: how many examples of true class t were predicted as p (sklearn's confusion_matrix layout). */
export function confusionMatrix(
  yTrue: readonly number[],
  yPred: readonly number[],
  numLabels: number,
): number[][] {
  if (yTrue.length !== yPred.length)
    throw new Error(`confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions`);
  const counts = Array.from({ length: numLabels }, () => new Array<number>(numLabels).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    for (const [what, x] of [
      ['true label', t],
      ['prediction', p],
    ] as const) {
      if (!Number.isInteger(x) || x < 0 || x >= numLabels)
        throw new Error(
          `confusionMatrix: ${what} ${x} at index ${i} is not a class index in [0, ${numLabels})`,
        );
    }
    (counts[t] as number[])[p] = ((counts[t] as number[])[p] as number) + 1;
  }
  return counts;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** Per class, indexed by label id. */
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  weightedPrecision: number;
  weightedRecall: number;
  weightedF1: number;
  confusionMatrix: number[][];
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);
const mean = (xs: number[]): number =>
  ratio(
    xs.reduce((a, b) => a + b, 0),
    xs.length,
  );
const weighted = (xs: number[], w: number[]): number =>
  ratio(
    xs.reduce((a, x, i) => a + x * (w[i] as number), 0),
    w.reduce((a, b) => a + b, 0),
  );

/**
 * Every metric over classes 0..numLabels-1. Macro averages include every class, also those absent from both
 * the labels and the predictions (sklearn with `labels=range(numLabels)`); weighted averages weight by support.
 */
export function classificationMetrics(
  yTrue: readonly number[],
  yPred: readonly number[],
  numLabels: number,
): ClassificationMetrics {
  const cm = confusionMatrix(yTrue, yPred, numLabels);
  const classes = [...Array(numLabels).keys()];
  const tp = classes.map((c) => (cm[c] as number[])[c] as number);
  const support = cm.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = classes.map((c) => cm.reduce((a, row) => a + (row[c] as number), 0));
  const precision = classes.map((c) => ratio(tp[c] as number, predicted[c] as number));
  const recall = classes.map((c) => ratio(tp[c] as number, support[c] as number));
  // F1 from counts, 2tp / (2tp + fp + fn), which is what sklearn computes and is 0 when all three are 0.
  const f1 = classes.map((c) =>
    ratio(2 * (tp[c] as number), (predicted[c] as number) + (support[c] as number)),
  );
  return {
    accuracy: ratio(
      tp.reduce((a, b) => a + b, 0),
      yTrue.length,
    ),
    precision,
    recall,
    f1,
    support,
    macroPrecision: mean(precision),
    macroRecall: mean(recall),
    macroF1: mean(f1),
    weightedPrecision: weighted(precision, support),
    weightedRecall: weighted(recall, support),
    weightedF1: weighted(f1, support),
    confusionMatrix: cm,
  };
}

/** The index of the largest value of each row (first one on ties, as numpy's argmax). */
export function argmaxRows(rows: ArrayLike<number>, numColumns: number): number[] {
  const out: number[] = [];
  for (let r = 0; r * numColumns < rows.length; r++) {
    let best = 0;
    for (let c = 1; c < numColumns; c++) {
      if ((rows[r * numColumns + c] as number) > (rows[r * numColumns + best] as number)) best = c;
    }
    out.push(best);
  }
  return out;
}
