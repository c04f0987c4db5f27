// What to say when the browser's storage runs short: which stored runs to delete (largest first) to make room.
// The app never deletes a run by itself; it names them and the person decides.
import type { RunRecord } from './run-types';
import { runStoredBytes } from './runs';

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Runs whose deletion frees at least `neededBytes`, largest first, leaving out `keep` (e.g. the run training). */
export function runsToDelete(
  runs: readonly RunRecord[],
  neededBytes: number,
  keep: ReadonlySet<string> = new Set(),
): RunRecord[] {
  const candidates = runs
    .filter((r) => !keep.has(r.id) && runStoredBytes(r) > 0)
    .sort((a, b) => runStoredBytes(b) - runStoredBytes(a));
  const picked: RunRecord[] = [];
  let freed = 0;
  for (const run of candidates) {
    if (freed >= neededBytes) break;
    picked.push(run);
    freed += runStoredBytes(run);
  }
  return picked;
}

/**
 * The message for a write that did not fit: how much it needed, and the runs whose deletion would make room
 * (or what else to do when deleting runs would not be enough).
 */
export function storageShortMessage(
  what: string,
  runs: readonly RunRecord[],
  neededBytes: number,
  freeBytes: number | undefined,
  keep: ReadonlySet<string> = new Set(),
): string {
  const free = freeBytes === undefined ? '' : `, ${megabytes(freeBytes)} is free`;
  const head = `The browser's storage is full: ${what} needs about ${megabytes(neededBytes)}${free}.`;
  const shortBy = Math.max(0, neededBytes - (freeBytes ?? 0));
  const pick = runsToDelete(runs, shortBy, keep);
  if (pick.length === 0)
    return `${head} No stored run can be deleted to make room: delete stored datasets or free disk space. Nothing was deleted.`;
  const names = pick.map((r) => `“${r.name}” (${megabytes(runStoredBytes(r))})`).join(', ');
  return `${head} Delete ${pick.length === 1 ? 'this run' : 'these runs'} in the run list to make room: ${names}. Nothing was deleted.`;
}

/** Whether an error from IndexedDB or the Cache API means the storage quota is exhausted. */
export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'QuotaExceededError' || /quota/i.test(String(err));
}
