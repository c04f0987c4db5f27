import { SUPPORTED_EXTENSIONS } from '../../core/data/format';
import { useEffect, useState } from 'react';
import { askResults } from '../../worker/results-client';
import type { EvaluationDetails } from '../../worker/results-types';
import { EvaluationView, weightsLabel } from './EvaluationView';
import { LabelChips } from './LabelChips';
import { useResultsModel } from './results-store';
import './results.css';

// Kept across remounts of the panel (moving between steps): the registrations already evaluated automatically,
// and the latest details shown.
const evaluated = new Set<number>();
let shown: EvaluationDetails | undefined;

/** Evaluate: scores the results model on the validation split or on a labelled file the person picks. */
export function EvaluatePanel() {
  const { info, busy, error: modelError, useLoaded } = useResultsModel();
  const [details, setShownDetails] = useState<EvaluationDetails | undefined>(shown);
  const setDetails = (next: EvaluationDetails) => {
    shown = next;
    setShownDetails(next);
  };
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();

  // A newly registered model with a validation set is evaluated on it straight away.
  const registration = info?.hasValidation ? info.registration : undefined;
  useEffect(() => {
    if (registration === undefined || evaluated.has(registration)) return;
    evaluated.add(registration);
    askResults({ type: 'results-evaluate' }, 'evaluation').then(
      (reply) => setDetails(reply.details),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [registration]);

  const evaluate = async (file?: File) => {
    setRunning(true);
    setError(undefined);
    try {
      setDetails((await askResults({ type: 'results-evaluate', file }, 'evaluation')).details);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="results-panel" aria-labelledby="evaluate-title">
      <h3 id="evaluate-title">Results model</h3>
      {info ? (
        <div data-testid="results-model">
          <p>
            {info.origin === 'trained' ? 'Fine-tuned' : 'As loaded'}: {info.name}
            {info.run ? `, run “${info.run.name}”` : ''}
            {info.weights ? ` (weights: ${weightsLabel(info.weights)})` : ''}. {info.labels.length} labels:
          </p>
          <LabelChips labels={info.labels} />
        </div>
      ) : (
        <div>
          <p>No fine-tuned model yet. Train one, or use a loaded classifier as it is.</p>
          <button type="button" onClick={useLoaded} disabled={busy}>
            Use the loaded model as it is
          </button>
        </div>
      )}
      {modelError && <p role="alert">{modelError}</p>}
      {info && (
        <div className="results-actions">
          <button type="button" onClick={() => void evaluate()} disabled={running || !info.hasValidation}>
            Evaluate on the validation set
          </button>
          <label>
            Evaluate on a labelled file
            <input
              type="file"
              accept={SUPPORTED_EXTENSIONS.join(',')}
              disabled={running}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void evaluate(file);
              }}
            />
          </label>
          {running && <span role="status">Evaluating…</span>}
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      {details && <EvaluationView details={details} weights={info?.weights} />}
    </section>
  );
}
