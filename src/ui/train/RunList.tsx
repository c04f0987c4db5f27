// The stored runs, newest first: status, progress and latest scores, with Resume for paused or interrupted ones.
import type { RunRecord } from '../../core/storage/run-types';
import { isInterrupted, isResumable } from '../../core/storage/runs';

interface Props {
  runs: RunRecord[];
  activeRunId?: string;
  followedId?: string;
  busy: boolean;
  onShow: (run: RunRecord) => void;
  onResume: (run: RunRecord) => void;
  onDelete: (run: RunRecord) => void;
}

function statusLabel(run: RunRecord, activeRunId: string | undefined): string {
  return isInterrupted(run, { activeRunId }) ? 'interrupted' : run.status;
}

export function RunList({ runs, activeRunId, followedId, busy, onShow, onResume, onDelete }: Props) {
  if (runs.length === 0) return <p className="hint">No runs yet.</p>;
  return (
    <ul className="run-list" aria-label="Stored runs">
      {runs.map((run) => {
        const status = statusLabel(run, activeRunId);
        const f1 = run.latestEval?.eval_f1;
        return (
          <li key={run.id} data-testid="run" data-run-id={run.id} data-status={status}>
            <button
              type="button"
              className="run-name"
              aria-pressed={run.id === followedId}
              disabled={run.id === activeRunId}
              onClick={() => onShow(run)}
            >
              {run.name}
            </button>{' '}
            <span className={`run-badge run-${status}`}>{status}</span>{' '}
            <span className="run-facts">
              step {run.globalStep}/{run.totalSteps || '–'}
              {f1 !== undefined ? ` · F1 ${f1.toFixed(3)}` : ''}
              {run.bestCheckpoint ? ` · best at step ${run.bestCheckpoint.step}` : ''} ·{' '}
              {new Date(run.createdAt).toLocaleString('en-GB')}
            </span>
            {run.error && <span className="run-error"> {run.error}</span>}{' '}
            {isResumable(run, { activeRunId }) && (
              <button
                type="button"
                disabled={busy}
                onClick={() => onResume(run)}
                aria-label={`Resume ${run.name}`}
              >
                Resume
              </button>
            )}{' '}
            <button
              type="button"
              disabled={run.id === activeRunId}
              onClick={() => onDelete(run)}
              aria-label={`Delete run ${run.name}`}
            >
              Delete
            </button>
          </li>
        );
      })}
    </ul>
  );
}
