// The stored runs, newest first: state, progress, latest scores and storage size, with the actions each state
// allows. Automation contract: each row is `data-testid="run-row"` with `data-run-status` (a RunState); its
// first button is the run's name and opens the run (Evaluate, Playground and Download model then act on it).
import { formatDateTime } from '../app/dates';
import type { RunRecord } from '../../core/storage/run-types';
import {
  isResumable,
  isTrainingElsewhere,
  runState,
  runStoredBytes,
  type RunActivity,
} from '../../core/storage/runs';
import { megabytes } from '../../core/storage/space';

interface Props {
  runs: RunRecord[];
  activity: RunActivity;
  followedId?: string;
  busy: boolean;
  onShow: (run: RunRecord) => void;
  onResume: (run: RunRecord) => void;
  onStartAgain: (run: RunRecord) => void;
  onDelete: (run: RunRecord) => void;
}

/** Whether "Start again with the same settings" applies: nothing to resume from, or a failure. */
export function canStartAgain(run: RunRecord, activity: RunActivity): boolean {
  const state = runState(run, activity);
  return state === 'failed' || (state === 'interrupted' && run.lastCheckpoint === undefined);
}

/** What deleting a run loses, for the confirmation. */
export function deleteRunQuestion(run: RunRecord): string {
  const bytes = runStoredBytes(run);
  return `Delete run "${run.name}" with its model and checkpoints${bytes > 0 ? ` (${megabytes(bytes)})` : ''}? This cannot be undone.`;
}

export function RunList({
  runs,
  activity,
  followedId,
  busy,
  onShow,
  onResume,
  onStartAgain,
  onDelete,
}: Props) {
  if (runs.length === 0) return <p className="hint">No runs yet.</p>;
  return (
    <ul className="run-list" aria-label="Stored runs">
      {runs.map((run) => {
        const state = runState(run, activity);
        const elsewhere = isTrainingElsewhere(run, activity);
        const f1 = run.latestEval?.eval_f1;
        const bytes = runStoredBytes(run);
        return (
          <li key={run.id} data-testid="run-row" data-run-id={run.id} data-run-status={state}>
            <button
              type="button"
              className="run-name"
              aria-pressed={run.id === followedId}
              onClick={() => onShow(run)}
            >
              {run.name}
            </button>{' '}
            <span className={`run-badge run-${state}`}>{state}</span>
            {elsewhere && <span className="run-elsewhere"> in another tab</span>}{' '}
            <span className="run-facts">
              {run.args.mode === 'lora' ? `LoRA r ${run.lora?.r ?? 8} · ` : ''}
              step {run.globalStep}/{run.totalSteps || '–'}
              {f1 !== undefined ? ` · F1 ${f1.toFixed(3)} (evaluated at step ${run.latestEval!.step})` : ''}
              {run.bestCheckpoint ? ` · best at step ${run.bestCheckpoint.step}` : ''}
              {state === 'interrupted'
                ? run.lastCheckpoint
                  ? ` · resumes from step ${run.lastCheckpoint.step}`
                  : ' · interrupted before its first checkpoint'
                : ''}{' '}
              · <span data-testid="run-size">{megabytes(bytes)}</span> ·{' '}
              <time dateTime={new Date(run.createdAt).toISOString()}>{formatDateTime(run.createdAt)}</time>
            </span>
            {run.error && <span className="run-error"> {run.error}</span>}{' '}
            {isResumable(run, activity) && (
              <button
                type="button"
                disabled={busy}
                onClick={() => onResume(run)}
                aria-label={`Resume ${run.name}`}
              >
                Resume
              </button>
            )}
            {canStartAgain(run, activity) && (
              <button type="button" disabled={busy} onClick={() => onStartAgain(run)}>
                Start again with the same settings
              </button>
            )}{' '}
            <button
              type="button"
              disabled={state === 'running'}
              onClick={() => {
                if (window.confirm(deleteRunQuestion(run))) onDelete(run);
              }}
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
