// The runs store's checkpoint switch (src/core/storage/runs.ts) on fake-indexeddb: a new checkpoint is written to a
// fresh record and the run's pointer moves to it in the same transaction; a write that fails half-way (as a tab
// killed mid-write) leaves the run on its previous, complete checkpoint; the final model is kept beside it.
import 'fake-indexeddb/auto';
import { deleteDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TensorMap } from '../../src/core/hub/tensors';
import { openWebTuneDB, type WebTuneDatabase } from '../../src/core/storage/db';
import type { RunRecord } from '../../src/core/storage/run-types';
import {
  deleteRun,
  getRun,
  isResumable,
  loadFinalModel,
  loadLastCheckpoint,
  putRun,
  runState,
  runStoredBytes,
  saveFinalModel,
  saveRunCheckpoint,
} from '../../src/core/storage/runs';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../src/core/train/arguments';

const DB = 'webtune-checkpoint-switch-test';

function run(id: string): RunRecord {
  return {
    id,
    name: `run ${id}`,
    createdAt: 1,
    updatedAt: 1,
    status: 'running',
    modelName: 'webtune/bert-tiny-mlm',
    modelSource: { kind: 'hub', id: 'webtune/bert-tiny-mlm', revision: 'main', endpoint: 'http://127.0.0.1' },
    architecture: 'bert',
    datasetId: 'ds-1',
    datasetName: 'a.csv',
    labels: ['negative', 'positive'],
    trainExamples: 10,
    evalExamples: 2,
    maxLength: 32,
    args: DEFAULT_TRAINING_ARGUMENTS,
    backend: 'cpu',
    totalSteps: 6,
    globalStep: 0,
    trainSeconds: 0,
    logCount: 0,
  };
}

const log = (step: number) => ({ step, epoch: step / 6, loss: 1 / step });
const history = (steps: number) => Array.from({ length: steps }, (_, i) => log(i + 1));

/** The checkpoint records stored for a run, by key. */
async function checkpointKeys(db: WebTuneDatabase, runId: string): Promise<string[]> {
  const keys = await db.getAllKeys('checkpoints', IDBKeyRange.bound([runId, ''], [runId, '\uffff']));
  return keys.map(([, kind]) => kind).sort();
}

describe('the checkpoint pointer switch', () => {
  let db: WebTuneDatabase;
  beforeEach(async () => {
    await deleteDB(DB);
    db = await openWebTuneDB(DB);
    await putRun(db, run('r'));
  });
  afterEach(async () => {
    db.close();
    await deleteDB(DB);
  });

  it('writes each checkpoint to a new record, switches the pointer and drops the previous one', async () => {
    await saveRunCheckpoint(db, 'r', { step: 2, bytes: Uint8Array.of(2, 2), logHistory: history(2) });
    const first = (await getRun(db, 'r'))!.lastCheckpoint!;
    expect(first.step).toBe(2);
    expect(await checkpointKeys(db, 'r')).toEqual([first.key]);

    await saveRunCheckpoint(db, 'r', { step: 4, bytes: Uint8Array.of(4, 4, 4), logHistory: history(4) });
    const second = (await getRun(db, 'r'))!;
    expect(second.lastCheckpoint!.step).toBe(4);
    expect(second.lastCheckpoint!.key).not.toBe(first.key);
    expect(await checkpointKeys(db, 'r')).toEqual([second.lastCheckpoint!.key]);
    expect([...(await loadLastCheckpoint(db, 'r'))!]).toEqual([4, 4, 4]);
    expect(second.sizes?.last).toBe(3);
  });

  it('leaves the previous checkpoint in place when a write fails half-way', async () => {
    await saveRunCheckpoint(db, 'r', { step: 2, bytes: Uint8Array.of(2, 2), logHistory: history(2) });
    const before = (await getRun(db, 'r'))!;
    // The new checkpoint record is queued first; the log record after it cannot be stored (a function does not
    // clone), as if the tab died before the transaction committed. Nothing of the write may remain.
    const torn = [...history(3), { step: 4, epoch: 1, loss: (() => 0) as unknown as number }];
    await expect(
      saveRunCheckpoint(db, 'r', { step: 4, bytes: Uint8Array.of(9, 9, 9, 9), logHistory: torn }),
    ).rejects.toThrow();
    const after = (await getRun(db, 'r'))!;
    expect(after.lastCheckpoint).toEqual(before.lastCheckpoint);
    expect(after.logCount).toBe(2);
    expect(await checkpointKeys(db, 'r')).toEqual([before.lastCheckpoint!.key]);
    expect([...(await loadLastCheckpoint(db, 'r'))!]).toEqual([2, 2]);
  });

  it('reads and replaces a checkpoint stored under the fixed key of older versions', async () => {
    await db.put('checkpoints', { runId: 'r', kind: 'last', step: 1, savedAt: 1, bytes: Uint8Array.of(1) });
    await putRun(db, { ...run('r'), lastCheckpoint: { step: 1, savedAt: 1 } });
    expect([...(await loadLastCheckpoint(db, 'r'))!]).toEqual([1]);
    await saveRunCheckpoint(db, 'r', { step: 3, bytes: Uint8Array.of(3), logHistory: history(3) });
    const keys = await checkpointKeys(db, 'r');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^last@3-/);
  });

  it('keeps the final model with the run, counts its bytes and deletes everything with the run', async () => {
    await saveRunCheckpoint(db, 'r', { step: 6, bytes: new Uint8Array(40), logHistory: history(6) });
    const weights: TensorMap = new Map([['classifier.weight', { shape: [2, 3], data: new Float32Array(6) }]]);
    const finished = await saveFinalModel(db, 'r', {
      step: 6,
      weights,
      results: { pairs: false },
      patch: { status: 'finished', globalStep: 6 },
    });
    expect(finished.status).toBe('finished');
    expect(finished.finalModel?.step).toBe(6);
    expect(runStoredBytes(finished)).toBe(40 + 24);
    const final = await loadFinalModel(db, 'r');
    expect(final?.weights.get('classifier.weight')?.shape).toEqual([2, 3]);
    expect(final?.results).toEqual({ pairs: false });
    expect(runState(finished)).toBe('finished');
    expect(isResumable(finished)).toBe(false);

    await deleteRun(db, 'r');
    expect(await getRun(db, 'r')).toBeUndefined();
    expect(await checkpointKeys(db, 'r')).toEqual([]);
  });

  it('tells interrupted runs from runs trained here or in another tab', async () => {
    const stored = { ...run('r'), lastCheckpoint: { step: 2, savedAt: 1, key: 'last@2-1' } };
    expect(runState(stored)).toBe('interrupted');
    expect(isResumable(stored)).toBe(true);
    expect(runState(stored, { activeRunId: 'r' })).toBe('running');
    expect(runState(stored, { trainingElsewhere: new Set(['r']) })).toBe('running');
    expect(isResumable(stored, { trainingElsewhere: new Set(['r']) })).toBe(false);
    // Interrupted before its first checkpoint: nothing to resume from.
    expect(isResumable(run('r'))).toBe(false);
    expect(runState(run('r'))).toBe('interrupted');
  });
});
