// What the chosen mode trains ("trainable 295k of 4.4M, 6.7 %") and, for every mode, the memory it holds for a
// run, from the worker's budget of the loaded model (worker/training-budget.ts). A mode not advised for this
// model says why.
import { formatBytes } from '../../core/export/listing';
import type { TrainingMode } from '../../core/train/arguments';
import type { TrainingBudget } from '../../worker/protocol';

const MODES: TrainingMode[] = ['full', 'head', 'frozen-embeddings', 'lora'];

interface Props {
  mode: string;
  budget?: TrainingBudget;
  /** The worker's refusal of the LoRA fields (a target that matches no layer), or another failure. */
  error?: string;
}

export function ModeBudget({ mode, budget, error }: Props) {
  if (error)
    return (
      <p className="mode-budget-error" data-testid="mode-budget-error">
        {error}
      </p>
    );
  if (!budget) return <p className="hint">Counting the parameters of each mode…</p>;
  const chosen = budget.modes[mode as TrainingMode];
  return (
    <div className="mode-budget">
      {chosen && (
        <p>
          <strong data-testid="trainable-share" data-trainable={chosen.trainable} data-total={chosen.total}>
            trainable {chosen.share}
          </strong>{' '}
          <span className="hint">
            (with a {budget.numLabels}-label head; about {formatBytes(chosen.memoryBytes)} for weights,
            gradients and Adam moments, activations not included)
          </span>
        </p>
      )}
      {chosen?.notAdvised && (
        <p className="mode-warning" data-testid="mode-not-advised">
          Not advised for this model: {chosen.notAdvised}.
        </p>
      )}
      <table className="mode-budget-table" aria-label="Memory of each training mode">
        <thead>
          <tr>
            <th scope="col">mode</th>
            <th scope="col">trainable</th>
            <th scope="col">memory estimate</th>
            <th scope="col">advice</th>
          </tr>
        </thead>
        <tbody>
          {MODES.map((m) => {
            const b = budget.modes[m];
            return (
              <tr key={m} data-mode={m} data-memory={b.memoryBytes} className={m === mode ? 'chosen' : ''}>
                <th scope="row">
                  <code>{m}</code>
                </th>
                <td>{b.share}</td>
                <td>{formatBytes(b.memoryBytes)}</td>
                <td>
                  {b.notAdvised
                    ? `not advised: ${b.notAdvised}`
                    : m === budget.defaultMode
                      ? 'the default for this model'
                      : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {budget.defaultMode === 'lora' && (
        <p className="hint" data-testid="lora-default-note">
          Full fine-tuning of this model needs more than {formatBytes(budget.limitBytes)}, so LoRA is the
          default here.
        </p>
      )}
    </div>
  );
}
