// The runs store: one record per training run, its log_history in runLogs, its checkpoints in checkpoints.
// Writes that must agree (a checkpoint, the logs up to it and the run record pointing at it) go in one
// transaction, so a closed tab leaves either the old state or the new one, never a record pointing at nothing.
import type { TensorMap } from '../hub/tensors';
import type { WebTuneDatabase } from './db';
import type {
  CheckpointKind,
  CheckpointRecord,
  RunLogEntry,
  RunRecord,
  RunState,
  StoredRunResults,
} from './run-types';

export type {
  RunRecord,
  RunLogEntry,
  RunState,
  RunStatus,
  RunModelSource,
  CheckpointRecord,
} from './run-types';

export function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function logRange(runId: string, from = 0): IDBKeyRange {
  return IDBKeyRange.bound([runId, from], [runId, Infinity]);
}

export async function putRun(db: WebTuneDatabase, run: RunRecord): Promise<void> {
  await db.put('runs', run);
}

/** Newest first. */
export async function listRuns(db: WebTuneDatabase): Promise<RunRecord[]> {
  return (await db.getAll('runs')).sort((a, b) => b.createdAt - a.createdAt);
}

export async function getRun(db: WebTuneDatabase, id: string): Promise<RunRecord | undefined> {
  return db.get('runs', id);
}

/** Changes some fields of a stored run (read and write in one transaction). Returns the new record. */
export async function updateRun(
  db: WebTuneDatabase,
  id: string,
  patch: Partial<Omit<RunRecord, 'id'>>,
): Promise<RunRecord> {
  const tx = db.transaction('runs', 'readwrite');
  const run = await tx.store.get(id);
  if (!run) throw new Error(`Run ${id} is not stored (was it deleted?).`);
  const next: RunRecord = { ...run, ...patch, id, updatedAt: Date.now() };
  await tx.store.put(next);
  await tx.done;
  return next;
}

export async function renameRun(db: WebTuneDatabase, id: string, name: string): Promise<RunRecord> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error('A run name cannot be empty.');
  return updateRun(db, id, { name: trimmed });
}

/** Writes log_history records starting at position `from`, and the run's logCount, in one transaction. */
export async function appendRunLogs(
  db: WebTuneDatabase,
  runId: string,
  from: number,
  records: readonly RunLogEntry[],
  patch: Partial<Omit<RunRecord, 'id'>> = {},
): Promise<void> {
  const tx = db.transaction(['runs', 'runLogs'], 'readwrite');
  const runs = tx.objectStore('runs');
  const logs = tx.objectStore('runLogs');
  const run = await runs.get(runId);
  if (!run) throw new Error(`Run ${runId} is not stored (was it deleted?).`);
  for (const [i, record] of records.entries()) void logs.put({ runId, index: from + i, record });
  await runs.put({
    ...run,
    ...patch,
    id: runId,
    logCount: Math.max(from + records.length, patch.logCount ?? 0),
    updatedAt: Date.now(),
  });
  await tx.done;
}

/** The run's log_history in order. */
export async function readRunLogs(db: WebTuneDatabase, runId: string): Promise<RunLogEntry[]> {
  return (await db.getAll('runLogs', logRange(runId))).map((r) => r.record);
}

export interface CheckpointWrite {
  step: number;
  /** encodeCheckpoint(TrainerCheckpoint): what a resume needs. */
  bytes: Uint8Array;
  /** The whole log_history at this checkpoint: stored records past it (from a run that went further) are dropped. */
  logHistory: readonly RunLogEntry[];
  /** Set when this checkpoint's weights are the best so far: they are also kept as the 'best' checkpoint. */
  best?: { weights: TensorMap; metric: string; value: number };
  /** Fields of the run record to change with it (status, globalStep, latestEval, …). */
  patch?: Partial<Omit<RunRecord, 'id'>>;
}

/** The bytes a map of float32 tensors takes. */
export function tensorBytes(weights: TensorMap): number {
  let bytes = 0;
  for (const t of weights.values()) bytes += t.data.byteLength;
  return bytes;
}

/** The record a run's 'last' pointer names (runs stored before pointers existed used the fixed key 'last'). */
function lastKey(run: RunRecord): string | undefined {
  return run.lastCheckpoint ? (run.lastCheckpoint.key ?? 'last') : undefined;
}

/**
 * Stores a checkpoint in one transaction, crash-safe: the new 'last' checkpoint goes to a fresh record, the run's
 * pointer switches to it, and only then is the previous record deleted (with the best weights when they
 * improved, and the log_history up to it). IndexedDB commits all of it or none: a tab killed mid-write leaves
 * the run pointing at its previous, complete checkpoint, never at a torn one. Any failure aborts the whole write.
 */
export async function saveRunCheckpoint(
  db: WebTuneDatabase,
  runId: string,
  write: CheckpointWrite,
): Promise<void> {
  const tx = db.transaction(['runs', 'runLogs', 'checkpoints'], 'readwrite');
  try {
    const runs = tx.objectStore('runs');
    const logs = tx.objectStore('runLogs');
    const checkpoints = tx.objectStore('checkpoints');
    const run = await runs.get(runId);
    if (!run) throw new Error(`Run ${runId} is not stored (was it deleted?).`);
    const savedAt = Date.now();
    const previous = lastKey(run);
    let key = `last@${write.step}-${savedAt.toString(36)}`;
    if (key === previous) key += '-b'; // two checkpoints of one step in one millisecond
    // Every request is awaited together below; an abort rejects the queued ones, which must not go unhandled.
    const writes: Promise<unknown>[] = [];
    const queue = (request: Promise<unknown>): void => {
      request.catch(() => undefined);
      writes.push(request);
    };
    queue(checkpoints.put({ runId, kind: key, step: write.step, savedAt, bytes: write.bytes }));
    if (write.best)
      queue(checkpoints.put({ runId, kind: 'best', step: write.step, savedAt, weights: write.best.weights }));
    queue(logs.delete(logRange(runId, write.logHistory.length)));
    for (const [index, record] of write.logHistory.entries()) queue(logs.put({ runId, index, record }));
    queue(
      runs.put({
        ...run,
        ...write.patch,
        id: runId,
        logCount: write.logHistory.length,
        lastCheckpoint: { step: write.step, savedAt, key },
        bestCheckpoint: write.best
          ? { step: write.step, metric: write.best.metric, value: write.best.value, savedAt }
          : run.bestCheckpoint,
        sizes: {
          ...run.sizes,
          last: write.bytes.byteLength,
          ...(write.best ? { best: tensorBytes(write.best.weights) } : {}),
        },
        updatedAt: savedAt,
      }),
    );
    if (previous !== undefined && previous !== key) queue(checkpoints.delete([runId, previous]));
    await Promise.all(writes);
    await tx.done;
  } catch (err) {
    abortQuietly(tx);
    throw err;
  }
}

/** A thrown error does not abort an IndexedDB transaction by itself: what was queued would still commit. */
function abortQuietly(tx: { abort(): void; done: Promise<void> }): void {
  tx.done.catch(() => undefined);
  try {
    tx.abort();
  } catch {
    // Already finished or aborted.
  }
}

export interface FinalModelWrite {
  step: number;
  /** The weights the run ended with (the best ones when load_best_model_at_end restored them). */
  weights: TensorMap;
  results: StoredRunResults;
  /** Fields of the run record to change with it (the status that ends the run, its summary, …). */
  patch?: Partial<Omit<RunRecord, 'id'>>;
}

/**
 * Keeps the model a run ended with, so Evaluate, Playground and Export can open it after a reload: its weights
 * and results record, with the run's new status, in one transaction.
 */
export async function saveFinalModel(
  db: WebTuneDatabase,
  runId: string,
  write: FinalModelWrite,
): Promise<RunRecord> {
  const tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
  try {
    const runs = tx.objectStore('runs');
    const run = await runs.get(runId);
    if (!run) throw new Error(`Run ${runId} is not stored (was it deleted?).`);
    const savedAt = Date.now();
    const next: RunRecord = {
      ...run,
      ...write.patch,
      id: runId,
      finalModel: { step: write.step, savedAt },
      sizes: { ...run.sizes, final: tensorBytes(write.weights) },
      updatedAt: savedAt,
    };
    const requests = [
      tx.objectStore('checkpoints').put({
        runId,
        kind: 'final',
        step: write.step,
        savedAt,
        weights: write.weights,
        results: write.results,
      }),
      runs.put(next),
    ];
    for (const request of requests) request.catch(() => undefined);
    await Promise.all(requests);
    await tx.done;
    return next;
  } catch (err) {
    abortQuietly(tx);
    throw err;
  }
}

export async function getCheckpoint(
  db: WebTuneDatabase,
  runId: string,
  kind: CheckpointKind,
): Promise<CheckpointRecord | undefined> {
  return db.get('checkpoints', [runId, kind]);
}

/** The bytes to hand to decodeCheckpoint for a resume, or undefined when the run never saved one. */
export async function loadLastCheckpoint(
  db: WebTuneDatabase,
  runId: string,
): Promise<Uint8Array | undefined> {
  const tx = db.transaction(['runs', 'checkpoints'], 'readonly');
  const run = await tx.objectStore('runs').get(runId);
  const key = run && lastKey(run);
  const record = key === undefined ? undefined : await tx.objectStore('checkpoints').get([runId, key]);
  return record?.bytes;
}

/** The best evaluation's weights (for export or the playground), or undefined when none was saved. */
export async function loadBestWeights(db: WebTuneDatabase, runId: string): Promise<TensorMap | undefined> {
  return (await getCheckpoint(db, runId, 'best'))?.weights;
}

/** The model a run ended with: its weights and results record, or undefined when it has none stored. */
export async function loadFinalModel(
  db: WebTuneDatabase,
  runId: string,
): Promise<{ step: number; savedAt: number; weights: TensorMap; results: StoredRunResults } | undefined> {
  const record = await getCheckpoint(db, runId, 'final');
  return record?.weights && record.results
    ? { step: record.step, savedAt: record.savedAt, weights: record.weights, results: record.results }
    : undefined;
}

/** Bytes the run's checkpoints take in IndexedDB (its logs are small and not counted). */
export function runStoredBytes(run: RunRecord): number {
  const sizes = run.sizes ?? {};
  return (sizes.last ?? 0) + (sizes.best ?? 0) + (sizes.final ?? 0);
}

/** Removes a run with its logs and checkpoints, in one transaction. */
export async function deleteRun(db: WebTuneDatabase, runId: string): Promise<void> {
  const tx = db.transaction(['runs', 'runLogs', 'checkpoints'], 'readwrite');
  await Promise.all([
    tx.objectStore('runLogs').delete(logRange(runId)),
    tx.objectStore('checkpoints').delete(IDBKeyRange.bound([runId, ''], [runId, '\uffff'])),
    tx.objectStore('runs').delete(runId),
    tx.done,
  ]);
}

/**
 * Who is training which run right now: this page's worker (`activeRunId`) and, through the Web Locks every
 * training worker holds, any other tab of the app (`trainingElsewhere`).
 */
export interface RunActivity {
  activeRunId?: string;
  trainingElsewhere?: ReadonlySet<string>;
}

/** Whether another tab of the app is training this run (it holds the run's lock). */
export function isTrainingElsewhere(run: RunRecord, activity: RunActivity = {}): boolean {
  return run.id !== activity.activeRunId && (activity.trainingElsewhere?.has(run.id) ?? false);
}

/**
 * A run stored as 'running' that no worker is training, here or in another tab: its tab was closed, reloaded or
 * killed mid-run. It resumes from its last checkpoint when it has one.
 */
export function isInterrupted(run: RunRecord, activity: RunActivity = {}): boolean {
  return run.status === 'running' && run.id !== activity.activeRunId && !isTrainingElsewhere(run, activity);
}

/** The state the page shows. */
export function runState(run: RunRecord, activity: RunActivity = {}): RunState {
  return isInterrupted(run, activity) ? 'interrupted' : run.status;
}

/** Whether Resume makes sense: paused or interrupted, with a checkpoint to start from. */
export function isResumable(run: RunRecord, activity: RunActivity = {}): boolean {
  const state = runState(run, activity);
  return (state === 'paused' || state === 'interrupted') && run.lastCheckpoint !== undefined;
}

/** The name of the Web Lock a worker holds while it trains a run (one tab at a time per run). */
export function runLockName(runId: string): string {
  return `webtune-run:${runId}`;
}
