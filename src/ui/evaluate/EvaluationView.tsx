import { useState } from 'react';
import type { EvaluationDetails, WeightsPoint } from '../../worker/results-types';
import {
  predictsOneClass,
  topConfusions,
  weakestSentence,
  worstClassIndices,
} from '../../worker/results-shape';
import { ClassTable } from './ClassTable';
import { ConfusionMatrix } from './ConfusionMatrix';
import { MisclassifiedList } from './MisclassifiedList';

/** "best, step 19" / "last, step 57": which weights a figure describes. */
export function weightsLabel(weights: WeightsPoint): string {
  return `${weights.kind}, step ${weights.step}`;
}

/** How many of the worst classes the matrix can be narrowed to (only the sizes below the class count). */
const WORST = [5, 10, 20];

/** Everything Evaluate shows for one evaluation, from plain data. */
export function EvaluationView({
  details,
  weights,
}: {
  details: EvaluationDetails;
  /** The weights evaluated, when they are a run's (absent for a model used as loaded). */
  weights?: WeightsPoint;
}) {
  const [worst, setWorst] = useState(0);
  const oneClass = predictsOneClass(details.labels, details.confusion);
  const confusions = topConfusions(details.labels, details.confusion);
  const sizes = WORST.filter((n) => n < details.labels.length);
  const keep = worst > 0 ? worstClassIndices(details.perClass, worst) : undefined;
  return (
    <div className="evaluation" data-testid="evaluation">
      <p data-testid="evaluation-summary">
        On {details.source} ({details.examples} examples
        {weights ? `, weights: ${weightsLabel(weights)}` : ''}): accuracy{' '}
        {(details.accuracy * 100).toFixed(1)}
        %, macro F1 {details.macroF1.toFixed(3)}, weighted F1 {details.weightedF1.toFixed(3)}, loss{' '}
        {details.loss.toFixed(4)}.
      </p>
      {oneClass && (
        <p className="warning" role="alert" data-testid="one-class-warning">
          The model predicts {oneClass.label} for {Math.round(oneClass.share * 100)} % of the examples: it
          does not tell the classes apart yet. Train longer or with a higher learning rate, or balance the
          classes.
        </p>
      )}
      <p data-testid="weakest-classes">{weakestSentence(details.perClass)}</p>
      <h3>Per class</h3>
      <ClassTable rows={details.perClass} />
      <h3>Confusion matrix</h3>
      {confusions.length > 0 && (
        <>
          <p>Most frequent mistakes (true → predicted: rows):</p>
          <ol className="top-confusions" data-testid="top-confusions">
            {confusions.map((c) => (
              <li key={`${c.trueLabel}\u0000${c.predictedLabel}`}>
                {c.trueLabel} → {c.predictedLabel}: {c.count}
              </li>
            ))}
          </ol>
        </>
      )}
      {sizes.length > 0 && (
        <p>
          <label>
            Show{' '}
            <select value={worst} onChange={(e) => setWorst(Number(e.target.value))}>
              <option value={0}>all {details.labels.length} classes</option>
              {sizes.map((n) => (
                <option key={n} value={n}>
                  the {n} classes with the lowest F1
                </option>
              ))}
            </select>
          </label>
        </p>
      )}
      <ConfusionMatrix labels={details.labels} confusion={details.confusion} keep={keep} />
      <h3>Misclassified examples</h3>
      <MisclassifiedList items={details.misclassified} />
    </div>
  );
}
