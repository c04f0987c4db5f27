// The person's session, kept in localStorage so a reload (or a closed tab) reopens where they were: the step,
// the dataset they chose and the mapping / cleaning choices they were making, the model they loaded (it loads
// again from the browser's cache), the hyper-parameters they set and the run they had open. Small plain data;
// the heavy things (datasets, runs, models) live in IndexedDB and the Cache API.
import type { DatasetConfig } from '../../core/data/prepare';

export interface SavedModelSource {
  kind: 'hub' | 'url';
  id?: string;
  revision?: string;
  endpoint?: string;
  url?: string;
}

export interface SavedSession {
  step?: string;
  /** The dataset confirmed with "Use this dataset" (what Train uses). */
  datasetId?: string;
  /** Its training split's size when it was confirmed (the Train step counts the steps before Start). */
  trainExamples?: number;
  /** The dataset selected in the Data step and the config being edited there. */
  dataDraft?: { datasetId: string; config: DatasetConfig };
  model?: SavedModelSource;
  /** The hyper-parameter form as typed, for the model it was typed for. */
  settings?: { model: string; text: Record<string, string> };
  openRunId?: string;
}

const KEY = 'webtune-session';

function storage(): Storage | undefined {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : undefined;
  } catch {
    return undefined; // storage disabled for this origin
  }
}

export function parseSession(text: string | null | undefined): SavedSession {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as SavedSession)
      : {};
  } catch {
    return {};
  }
}

export function readSession(): SavedSession {
  return parseSession(storage()?.getItem(KEY));
}

/** Merges `patch` into the saved session (a key set to undefined is removed). Never throws. */
export function saveSession(patch: Partial<SavedSession>): void {
  const store = storage();
  if (!store) return;
  const next: Record<string, unknown> = { ...readSession() };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  try {
    store.setItem(KEY, JSON.stringify(next));
  } catch {
    // A full storage only loses the restore, never the work itself.
  }
}
