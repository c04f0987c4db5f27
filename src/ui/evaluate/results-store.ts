// What the results panels know about the worker's results model, shared by every panel on the page so that
// "use the loaded model" in one panel updates the others.
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { askResults } from '../../worker/results-client';
import type { ResultsModelInfo } from '../../worker/results-types';

interface Snapshot {
  info: ResultsModelInfo | null;
  busy: boolean;
  error?: string;
  /** Counts the stored runs opened (a causal-LM run's decoder is opened the same way, see useCausalLmInfo). */
  opened: number;
}

let snapshot: Snapshot = { info: null, busy: false, opened: 0 };
const listeners = new Set<() => void>();

function update(next: Partial<Snapshot>): void {
  snapshot = { ...snapshot, ...next };
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function run(kind: 'results-info' | 'results-use-loaded', runId?: string): Promise<void> {
  update({ busy: true, error: undefined });
  try {
    const reply = await askResults(
      runId !== undefined ? { type: 'results-open-run', runId } : { type: kind },
      'info',
    );
    update({ info: reply.info, busy: false, opened: snapshot.opened + (runId !== undefined ? 1 : 0) });
  } catch (err) {
    update({ busy: false, error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Makes a stored run's model the one Evaluate, Playground and "Download model" act on (the run list's name
 * button). Resolves once the worker has registered it, or with the error shown in those panels.
 */
export function openRunResults(runId: string): Promise<void> {
  return run('results-info', runId);
}

/** Asks the worker again what the results model is (a run may have replaced it). */
export function refreshResultsInfo(): Promise<void> {
  return run('results-info');
}

/** The results model's info, refreshed when a panel mounts; `useLoaded` registers the loaded checkpoint. */
export function useResultsModel() {
  const state = useSyncExternalStore(subscribe, () => snapshot);
  useEffect(() => {
    void run('results-info');
  }, []);
  const useLoaded = useCallback(() => void run('results-use-loaded'), []);
  return { ...state, useLoaded };
}

/** How many stored runs have been opened so far: a panel that shows another side of the open run re-reads it. */
export function useOpenedRuns(): number {
  return useSyncExternalStore(subscribe, () => snapshot.opened);
}
