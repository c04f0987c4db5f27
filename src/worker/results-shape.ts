// Shapes model outputs into what the results panels show and what the downloads hold. Plain arrays only (no
// tfjs), so the page, the worker and Node tests share it.
import { classificationMetrics } from '../core/metrics/classification';
import type { Example } from '../core/data/prepare';
import type { ClassRow, EvaluationDetails, Misclassified } from './results-types';
import { perClassScores } from '../core/export/final-evaluation';

/** Evaluate's figures from each example's class probabilities (rows in the examples' order). */
export function evaluationDetails(
  labels: readonly string[],
  examples: readonly Example[],
  probabilities: readonly (readonly number[])[],
  source: string,
): EvaluationDetails {
  if (examples.length === 0) throw new Error(`Nothing to evaluate: ${source} has no examples`);
  if (probabilities.length !== examples.length) {
    throw new Error(`${examples.length} examples but ${probabilities.length} rows of probabilities`);
  }
  const predicted = probabilities.map(argmax);
  const truth = examples.map((e) => e.label);
  const metrics = classificationMetrics(truth, predicted, labels.length);
  let lossSum = 0;
  const misclassified: Misclassified[] = [];
  examples.forEach((example, i) => {
    const row = probabilities[i] as readonly number[];
    // Clamped like PyTorch's cross-entropy never quite reaches: a probability of exactly 0 would give Infinity.
    lossSum -= Math.log(Math.max(row[example.label] ?? 0, 1e-12));
    const p = predicted[i] as number;
    if (p !== example.label) {
      misclassified.push({
        index: i,
        text: example.text,
        ...(example.text2 !== undefined ? { text2: example.text2 } : {}),
        trueLabel: labels[example.label] ?? String(example.label),
        predictedLabel: labels[p] ?? String(p),
        confidence: row[p] ?? 0,
      });
    }
  });
  misclassified.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return {
    source,
    examples: examples.length,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    weightedF1: metrics.weightedF1,
    loss: lossSum / examples.length,
    labels: [...labels],
    perClass: perClassScores(labels, metrics),
    confusion: metrics.confusionMatrix,
    misclassified,
  };
}

/** The index of the largest value (the first on ties, as argmax everywhere else in WebTune). */
export function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/**
 * The classes the model does worst on: lowest F1 first (ties: more validation rows first, since those
 * mistakes weigh more), only classes present in the validation set, and only those below the macro F1.
 */
export function weakestClasses(rows: readonly ClassRow[], count = 3): ClassRow[] {
  const present = rows.filter((r) => r.support > 0);
  if (present.length < 2) return [];
  const macro = present.reduce((a, r) => a + r.f1, 0) / present.length;
  return present
    .filter((r) => r.f1 < macro)
    .sort((a, b) => a.f1 - b.f1 || b.support - a.support || a.label.localeCompare(b.label))
    .slice(0, count);
}

/** One sentence naming the weakest classes, e.g. "The weakest classes are neutral (F1 0.22, 18 examples)." */
export function weakestSentence(rows: readonly ClassRow[], count = 3): string {
  const weak = weakestClasses(rows, count);
  if (weak.length === 0) {
    return rows.filter((r) => r.support > 0).length < 2
      ? 'The validation set has fewer than two classes, so no class can be called the weakest.'
      : 'Every class scores the same F1, so none stands out as the weakest.';
  }
  const named = weak.map(
    (r) => `${r.label} (F1 ${r.f1.toFixed(2)}, ${r.support} example${r.support === 1 ? '' : 's'})`,
  );
  const list =
    named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  return weak.length === 1 ? `The weakest class is ${list}.` : `The weakest classes are ${list}.`;
}

export interface ConfusionCell {
  count: number;
  /** The count as a share of its row (the true class), 0 for an empty row: what the shading shows. */
  share: number;
  /** Whether this is the diagonal (a correct prediction). */
  correct: boolean;
}

export interface ConfusionLayout {
  labels: string[];
  rows: { label: string; total: number; cells: ConfusionCell[] }[];
}

/** The confusion matrix as labelled rows (true class) of cells (predicted class), with row shares for shading. */
export function confusionLayout(
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
): ConfusionLayout {
  if (confusion.length !== labels.length || confusion.some((r) => r.length !== labels.length)) {
    throw new Error(
      `The confusion matrix must be ${labels.length}×${labels.length}, one row and column per label`,
    );
  }
  return {
    labels: [...labels],
    rows: labels.map((label, t) => {
      const row = confusion[t] as readonly number[];
      const total = row.reduce((a, b) => a + b, 0);
      return {
        label,
        total,
        cells: row.map((count, p) => ({ count, share: total === 0 ? 0 : count / total, correct: p === t })),
      };
    }),
  };
}

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces (RFC 4180 quoting). */
export function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * The bulk predictions file: the input text(s), the predicted label and its probability, then one probability
 * column per class (`prob_<label>`, in the label order).
 */
export function predictionsCsv(
  labels: readonly string[],
  texts: readonly string[],
  pairs: readonly string[] | undefined,
  probabilities: readonly (readonly number[])[],
): string {
  if (probabilities.length !== texts.length) {
    throw new Error(`${texts.length} texts but ${probabilities.length} rows of probabilities`);
  }
  const header = [
    'text',
    ...(pairs ? ['text_pair'] : []),
    'predicted_label',
    'probability',
    ...labels.map((l) => `prob_${l}`),
  ];
  const rows = texts.map((text, i) => {
    const row = probabilities[i] as readonly number[];
    const best = argmax(row);
    return [
      text,
      ...(pairs ? [pairs[i] ?? ''] : []),
      labels[best] ?? String(best),
      formatProbability(row[best] ?? 0),
      ...row.map(formatProbability),
    ];
  });
  return toCsv(header, rows);
}

/** Six significant digits: plenty for a probability, and short in a spreadsheet. */
function formatProbability(p: number): string {
  return Number(p.toPrecision(6)).toString();
}

export interface Confusion {
  trueLabel: string;
  predictedLabel: string;
  count: number;
  /** The count as a share of the true class's rows. */
  share: number;
}

/** The largest off-diagonal cells, most rows first (ties: label order), e.g. top_up_failed → top_up_reverted: 6. */
export function topConfusions(
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
  count = 5,
): Confusion[] {
  const out: (Confusion & { t: number; p: number })[] = [];
  confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((n, p) => {
      if (p !== t && n > 0) {
        out.push({ trueLabel: labels[t]!, predictedLabel: labels[p]!, count: n, share: n / total, t, p });
      }
    });
  });
  return out
    .sort((a, b) => b.count - a.count || a.t - b.t || a.p - b.p)
    .slice(0, count)
    .map(({ trueLabel, predictedLabel, count: n, share }) => ({
      trueLabel,
      predictedLabel,
      count: n,
      share,
    }));
}

/**
 * The indices of the N classes with the lowest F1 among those present in the data (ties: more rows first,
 * then label order), returned in label order: the rows and columns the confusion matrix keeps when filtered.
 */
export function worstClassIndices(rows: readonly ClassRow[], count: number): number[] {
  return rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row.support > 0)
    .sort((a, b) => a.row.f1 - b.row.f1 || b.row.support - a.row.support || a.i - b.i)
    .slice(0, count)
    .map(({ i }) => i)
    .sort((a, b) => a - b);
}

/** A share of predictions at or above which a model is said to predict (almost) only one class. */
export const ONE_CLASS_SHARE = 0.9;

/**
 * When the examples cover two or more classes but ONE_CLASS_SHARE or more of the predictions are one class,
 * that class and its share of the predictions; otherwise undefined.
 */
export function predictsOneClass(
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
): { label: string; share: number } | undefined {
  const present = confusion.filter((row) => row.some((n) => n > 0)).length;
  const predicted = labels.map((_l, p) => confusion.reduce((a, row) => a + (row[p] ?? 0), 0));
  const total = predicted.reduce((a, b) => a + b, 0);
  if (present < 2 || total === 0) return undefined;
  const top = predicted.indexOf(Math.max(...predicted));
  const share = predicted[top]! / total;
  return share >= ONE_CLASS_SHARE ? { label: labels[top]!, share } : undefined;
}
