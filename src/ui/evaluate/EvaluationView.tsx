import type { EvaluationDetails } from '../../worker/results-types';
import { weakestSentence } from '../../worker/results-shape';
import { ClassTable } from './ClassTable';
import { ConfusionMatrix } from './ConfusionMatrix';
import { MisclassifiedList } from './MisclassifiedList';

/** Everything Evaluate shows for one evaluation, from plain data. */
export function EvaluationView({ details }: { details: EvaluationDetails }) {
  return (
    <div className="evaluation" data-testid="evaluation">
      <p data-testid="evaluation-summary">
        On {details.source} ({details.examples} examples): accuracy {(details.accuracy * 100).toFixed(1)}%,
        macro F1 {details.macroF1.toFixed(3)}, weighted F1 {details.weightedF1.toFixed(3)}, loss{' '}
        {details.loss.toFixed(4)}.
      </p>
      <p data-testid="weakest-classes">{weakestSentence(details.perClass)}</p>
      <h3>Per class</h3>
      <ClassTable rows={details.perClass} />
      <h3>Confusion matrix</h3>
      <ConfusionMatrix labels={details.labels} confusion={details.confusion} />
      <h3>Misclassified examples</h3>
      <MisclassifiedList items={details.misclassified} />
    </div>
  );
}
