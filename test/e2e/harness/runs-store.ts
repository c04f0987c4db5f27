// Runs in Chromium (served by the Vite dev server): exercises the runs store on the real IndexedDB, in a database
// of its own, and reports what it read back, for app-runs-store.test.ts to check.
import { deleteDB } from 'idb';
import type { TensorMap } from '../../../src/core/hub/tensors';
import { openWebTuneDB } from '../../../src/core/storage/db';
import type { RunRecord } from '../../../src/core/storage/run-types';
import {
  appendRunLogs,
  deleteRun,
  getRun,
  isResumable,
  listRuns,
  loadBestWeights,
  loadLastCheckpoint,
  newRunId,
  putRun,
  readRunLogs,
  renameRun,
  saveRunCheckpoint,
  updateRun,
} from '../../../src/core/storage/runs';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../../src/core/train/arguments';

function run(id: string, createdAt: number): RunRecord {
  return {
    id,
    name: `run ${id}`,
    createdAt,
    updatedAt: createdAt,
    status: 'running',
    modelName: 'webtune/bert-tiny-mlm',
    modelSource: { kind: 'hub', id: 'webtune/bert-tiny-mlm', revision: 'main', endpoint: 'http://127.0.0.1' },
    architecture: 'bert',
    datasetId: 'ds-1',
    datasetName: 'a.csv',
    labels: ['negative', 'positive'],
    trainExamples: 10,
    evalExamples: 2,
    maxLength: 128,
    args: DEFAULT_TRAINING_ARGUMENTS,
    backend: 'wasm',
    totalSteps: 6,
    globalStep: 0,
    trainSeconds: 0,
    logCount: 0,
  };
}

const log = (step: number, loss: number) => ({ step, epoch: step / 2, loss });

export async function exerciseRunsStore(dbName: string) {
  await deleteDB(dbName);
  const db = await openWebTuneDB(dbName);
  const a = newRunId();
  const b = newRunId();
  await putRun(db, run(a, 1000));
  await putRun(db, run(b, 2000));
  const order = (await listRuns(db)).map((r) => r.id);

  // Five log records flushed, then a checkpoint made at the third: the records past it are dropped.
  await appendRunLogs(db, a, 0, [log(1, 0.9), log(2, 0.8)], { globalStep: 2 });
  await appendRunLogs(db, a, 2, [log(3, 0.7), log(4, 0.6), log(5, 0.5)], { globalStep: 5 });
  const flushed = (await readRunLogs(db, a)).map((r) => r.step);
  const weights: TensorMap = new Map([
    ['classifier.weight', { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }],
  ]);
  const bytes = Uint8Array.of(7, 8, 9);
  await saveRunCheckpoint(db, a, {
    step: 3,
    bytes,
    logHistory: [log(1, 0.9), log(2, 0.8), log(3, 0.7)],
    best: { weights, metric: 'eval_f1', value: 0.75 },
    patch: { globalStep: 3, status: 'paused' },
  });
  const afterCheckpoint = (await readRunLogs(db, a)).map((r) => r.step);
  const stored = (await getRun(db, a)) as RunRecord;
  const last = await loadLastCheckpoint(db, a);
  const best = await loadBestWeights(db, a);
  // A later checkpoint that is not the best keeps the best reference.
  await saveRunCheckpoint(db, a, {
    step: 4,
    bytes: Uint8Array.of(1),
    logHistory: [log(1, 0.9), log(2, 0.8), log(3, 0.7), log(4, 0.65)],
  });
  const later = (await getRun(db, a)) as RunRecord;

  // A failing write (a run that is not stored) leaves nothing behind: one transaction.
  let missingError = '';
  try {
    await saveRunCheckpoint(db, 'run-missing', { step: 1, bytes, logHistory: [log(1, 1)] });
  } catch (err) {
    missingError = (err as Error).message;
  }
  const orphanLogs = (await readRunLogs(db, 'run-missing')).length;
  const orphanCheckpoint = await loadLastCheckpoint(db, 'run-missing');

  const renamed = (await renameRun(db, b, '  second  ')).name;
  let emptyNameError = '';
  try {
    await renameRun(db, b, ' ');
  } catch (err) {
    emptyNameError = (err as Error).message;
  }
  const bRecord = await updateRun(db, b, { status: 'running' });
  const resumable = {
    pausedWithCheckpoint: isResumable(later),
    interruptedWithout: isResumable(bRecord),
    activeIsNot: isResumable({ ...later, status: 'running' }, { activeRunId: a }),
    interruptedWith: isResumable({ ...later, status: 'running' }),
  };

  await deleteRun(db, a);
  const afterDelete = {
    runs: (await listRuns(db)).map((r) => r.id),
    logs: (await readRunLogs(db, a)).length,
    last: await loadLastCheckpoint(db, a),
    best: await loadBestWeights(db, a),
  };
  db.close();
  await deleteDB(dbName);
  return {
    ids: [a, b],
    order,
    flushed,
    afterCheckpoint,
    stored: {
      status: stored.status,
      globalStep: stored.globalStep,
      logCount: stored.logCount,
      lastCheckpoint: stored.lastCheckpoint?.step,
      bestCheckpoint: stored.bestCheckpoint && {
        step: stored.bestCheckpoint.step,
        metric: stored.bestCheckpoint.metric,
        value: stored.bestCheckpoint.value,
      },
    },
    last: last && [...last],
    best: best && [...best].map(([name, t]) => ({ name, shape: t.shape, data: [...t.data] })),
    later: { last: later.lastCheckpoint?.step, best: later.bestCheckpoint?.step, logCount: later.logCount },
    missingError,
    orphanLogs,
    orphanCheckpoint: orphanCheckpoint === undefined,
    renamed,
    emptyNameError,
    resumable,
    afterDelete: {
      ...afterDelete,
      last: afterDelete.last === undefined,
      best: afterDelete.best === undefined,
    },
  };
}
