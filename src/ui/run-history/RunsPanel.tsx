import { useEffect, useMemo, useState } from 'react';
import { formatDateTime } from '../app/dates';
import { OverlayChart } from './OverlayChart';
import { loggedMetrics, overlaySeries, settingsSideBySide } from './overlay';
import type { RunLogEntry, RunsSource, RunSummary } from './types';
import '../evaluate/results.css';

const FINAL = ['eval_accuracy', 'eval_f1', 'eval_loss'] as const;

/**
 * Runs: every stored run with its settings and final figures; pick several to compare; rename; delete. It lives
 * in the Train step beside the run list; `refresh` changes when the runs there change, and the list is read again.
 */
export function RunsPanel({
  source,
  refresh,
  states,
  owner,
}: {
  source?: RunsSource;
  refresh?: string;
  /**
   * Each run's state as the run list shows it, by id: the store keeps 'running' for a run whose tab went
   * away, which the list shows as interrupted. Without it, the stored status.
   */
  states?: Readonly<Record<string, string>>;
  /**
   * Where the panel sits beside the run list, that list deletes: the same question, the same guard (a run
   * training cannot be deleted) and its state updated; and it hears of a rename. Alone, the panel does both.
   */
  owner?: { remove(id: string): void; canRemove(id: string): boolean; renamed(): void };
}) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  const [histories, setHistories] = useState<Record<string, RunLogEntry[]>>({});
  const [error, setError] = useState<string>();

  // Bumped after a rename or delete, so the list is read again.
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!source) return;
    let live = true;
    source.list().then(
      (list) => live && setRuns([...list].sort((a, b) => b.createdAt - a.createdAt)),
      (err: unknown) =>
        live &&
        setError(`The stored runs cannot be read: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      live = false;
    };
  }, [source, version, refresh]);

  const act = async (work: () => Promise<void>) => {
    setError(undefined);
    try {
      await work();
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  // The checkbox follows the click at once; the run's curves join the comparison when they have been read.
  const toggle = (id: string) => {
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
    if (!histories[id] && source) {
      source.history(id).then(
        (history) => setHistories((h) => ({ ...h, [id]: history })),
        (err: unknown) =>
          setError(
            `The curves of that run cannot be read: ${err instanceof Error ? err.message : String(err)}`,
          ),
      );
    }
  };
  const rename = (run: RunSummary) => {
    const name = window.prompt(`New name for run "${run.name}"`, run.name)?.trim();
    if (name && source)
      void act(async () => {
        await source.rename(run.id, name);
        owner?.renamed();
      });
  };
  const remove = (run: RunSummary) => {
    // The owner asks first; a run it deletes leaves the list (and so the comparison) when the list is read again.
    if (owner) owner.remove(run.id);
    else if (
      source &&
      window.confirm(`Delete run "${run.name}" and its checkpoint? This cannot be undone.`)
    ) {
      setPicked((p) => p.filter((id) => id !== run.id));
      void act(() => source.remove(run.id));
    }
  };

  const compared = runs.filter((r) => picked.includes(r.id) && histories[r.id]);
  return (
    <section className="results-panel" aria-labelledby="runs-title">
      <h3 id="runs-title">Compare runs</h3>
      {!source && <p>Stored runs appear here once training has saved one.</p>}
      {source && runs.length === 0 && <p>No run is stored yet.</p>}
      {runs.length > 0 && (
        <RunsTable
          runs={runs}
          states={states}
          canRemove={owner?.canRemove}
          picked={picked}
          onToggle={toggle}
          onRename={rename}
          onDelete={remove}
        />
      )}
      {error && <p role="alert">{error}</p>}
      {compared.length > 0 && (
        <RunComparison runs={compared} histories={compared.map((r) => histories[r.id] as RunLogEntry[])} />
      )}
    </section>
  );
}

interface TableProps {
  runs: RunSummary[];
  states?: Readonly<Record<string, string>>;
  canRemove?: (id: string) => boolean;
  picked: string[];
  onToggle: (id: string) => void;
  onRename: (run: RunSummary) => void;
  onDelete: (run: RunSummary) => void;
}

export function RunsTable({ runs, states, canRemove, picked, onToggle, onRename, onDelete }: TableProps) {
  return (
    <div className="results-scroll" tabIndex={0} role="region" aria-label="Stored runs, scrollable">
      <table className="runs-table" aria-label="Stored runs">
        <thead>
          <tr>
            <th scope="col">Compare</th>
            <th scope="col">Run</th>
            <th scope="col">Model</th>
            <th scope="col">Data</th>
            <th scope="col">Status</th>
            <th scope="col">Settings</th>
            {FINAL.map((m) => (
              <th scope="col" key={m}>
                {m}
              </th>
            ))}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Compare ${run.name}`}
                  checked={picked.includes(run.id)}
                  onChange={() => onToggle(run.id)}
                />
              </td>
              <th scope="row">
                {run.name}
                <br />
                <small>
                  <time dateTime={new Date(run.createdAt).toISOString()}>
                    {formatDateTime(run.createdAt)}
                  </time>
                </small>
              </th>
              <td>{run.model}</td>
              <td>{run.dataset}</td>
              <td>{states?.[run.id] ?? run.status}</td>
              <td>
                <small>{shortSettings(run.settings)}</small>
              </td>
              {FINAL.map((m) => (
                <td key={m}>{run.final?.[m] !== undefined ? (run.final[m] as number).toFixed(4) : '—'}</td>
              ))}
              <td>
                <button type="button" onClick={() => onRename(run)} aria-label={`Rename ${run.name}`}>
                  Rename
                </button>{' '}
                <button
                  type="button"
                  disabled={canRemove ? !canRemove(run.id) : false}
                  onClick={() => onDelete(run)}
                  aria-label={`Delete ${run.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function shortSettings(settings: RunSummary['settings']): string {
  // The mode only when it is not full fine-tuning (the usual case), so LoRA runs stand out in the list.
  const keys = [
    ...(settings.mode !== undefined && settings.mode !== 'full' ? ['mode'] : []),
    'learning_rate',
    'num_train_epochs',
    'per_device_train_batch_size',
    'seed',
  ];
  return keys
    .filter((k) => settings[k] !== undefined)
    .map((k) => `${k}=${String(settings[k])}`)
    .join(', ');
}

export function RunComparison({ runs, histories }: { runs: RunSummary[]; histories: RunLogEntry[][] }) {
  const metrics = useMemo(() => loggedMetrics(histories), [histories]);
  const [metric, setMetric] = useState<string>();
  const shown =
    metric && metrics.includes(metric) ? metric : (metrics.find((m) => m === 'eval_f1') ?? metrics[0]);
  const data = useMemo(() => (shown ? overlaySeries(histories, shown) : undefined), [histories, shown]);
  const names = useMemo(() => runs.map((r) => r.name), [runs]);
  const settings = settingsSideBySide(runs);
  return (
    <div data-testid="run-comparison">
      <h4>Compare {runs.length} runs</h4>
      {metrics.length > 0 && (
        <label>
          Metric{' '}
          <select value={shown} onChange={(e) => setMetric(e.target.value)}>
            {metrics.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      )}
      {shown && data && <OverlayChart title={shown} names={names} data={data} />}
      <div
        className="results-scroll"
        tabIndex={0}
        role="region"
        aria-label="Settings side by side, scrollable"
      >
        <table className="runs-table" aria-label="Settings side by side">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              {runs.map((r) => (
                <th scope="col" key={r.id}>
                  {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {settings.map((row) => (
              <tr key={row.name} className={row.differs ? 'differs' : undefined}>
                <th scope="row">{row.differs ? <strong>{row.name}</strong> : row.name}</th>
                {row.values.map((v, i) => (
                  <td key={i}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
