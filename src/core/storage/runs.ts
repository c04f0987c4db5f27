// The runs store: one record per training run, its log_history in runLogs, its checkpoints in checkpoints.
// Writes that must agree (a checkpoint, the logs up to it and the run record pointing at it) go in one
// transaction, so a closed tab leaves either the old state or the new one, never a record pointing at nothing.
import type { TensorMap } from '../hub/tensors';
import type { WebTuneDatabase } from './db';
import type { CheckpointKind, CheckpointRecord, RunLogEntry, RunRecord } from './run-types';

export type { RunRecord, RunLogEntry, RunStatus, RunModelSource, CheckpointRecord } from './run-types';

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

/**
 * Stores a checkpoint in one transaction: the 'last' checkpoint (and the 'best' weights when they improved),
 * the log_history up to it, and the run record pointing at both.
 */
export async function saveRunCheckpoint(
  db: WebTuneDatabase,
  runId: string,
  write: CheckpointWrite,
): Promise<void> {
  const tx = db.transaction(['runs', 'runLogs', 'checkpoints'], 'readwrite');
  const runs = tx.objectStore('runs');
  const logs = tx.objectStore('runLogs');
  const checkpoints = tx.objectStore('checkpoints');
  const run = await runs.get(runId);
  if (!run) throw new Error(`Run ${runId} is not stored (was it deleted?).`);
  const savedAt = Date.now();
  void checkpoints.put({ runId, kind: 'last', step: write.step, savedAt, bytes: write.bytes });
  if (write.best)
    void checkpoints.put({ runId, kind: 'best', step: write.step, savedAt, weights: write.best.weights });
  void logs.delete(logRange(runId, write.logHistory.length));
  for (const [index, record] of write.logHistory.entries()) void logs.put({ runId, index, record });
  await runs.put({
    ...run,
    ...write.patch,
    id: runId,
    logCount: write.logHistory.length,
    lastCheckpoint: { step: write.step, savedAt },
    bestCheckpoint: write.best
      ? { step: write.step, metric: write.best.metric, value: write.best.value, savedAt }
      : run.bestCheckpoint,
    updatedAt: savedAt,
  });
  await tx.done;
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
  return (await getCheckpoint(db, runId, 'last'))?.bytes;
}

/** The best evaluation's weights (for export or the playground), or undefined when none was saved. */
export async function loadBestWeights(db: WebTuneDatabase, runId: string): Promise<TensorMap | undefined> {
  return (await getCheckpoint(db, runId, 'best'))?.weights;
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
 * A run stored as 'running' that no worker of this page is training: its tab was closed or reloaded mid-run.
 * It resumes from its last checkpoint when it has one.
 */
export function isInterrupted(run: RunRecord, activeRunId: string | undefined): boolean {
  return run.status === 'running' && run.id !== activeRunId;
}

/** Whether Resume makes sense: paused or interrupted, with a checkpoint to start from. */
export function isResumable(run: RunRecord, activeRunId: string | undefined): boolean {
  return (run.status === 'paused' || isInterrupted(run, activeRunId)) && run.lastCheckpoint !== undefined;
}
