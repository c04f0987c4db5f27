// The Train step's state: the run it follows (started here, resumed, or picked from the list), the stored runs,
// and the metric store the charts read. Requests go to the training worker; its events update the state.
import { useCallback, useEffect, useRef, useState } from 'react';
import { getDataset } from '../../core/storage/datasets';
import type { DatasetMeta } from '../../core/storage/dataset-types';
import { openWebTuneDB, type WebTuneDatabase } from '../../core/storage/db';
import type { RunModelSource, RunRecord } from '../../core/storage/run-types';
import { deleteRun, isInterrupted, listRuns, readRunLogs, updateRun } from '../../core/storage/runs';
import {
  TRAINING_CONTROL,
  type ModelSourceSpec,
  type TrainingPhase,
  type WorkerEvent,
} from '../../worker/protocol';
import type { WorkerChannel } from '../app/useTrainingWorker';
import { toTrainingArguments, type TrainSettings } from './defaults';
import { MetricStore, type LogEntry } from './metric-store';

/** The five states the page shows in `run-status`. */
export type RunStatusText = 'idle' | 'running' | 'paused' | 'finished' | 'failed';

/** A stopped run has finished early; one whose tab closed mid-run waits like a paused one. */
export function statusText(run: RunRecord | undefined, activeRunId: string | undefined): RunStatusText {
  if (!run) return 'idle';
  if (run.status === 'stopped') return 'finished';
  if (isInterrupted(run, { activeRunId })) return 'paused';
  return run.status;
}

/** The live clock of a run: training seconds at the last record and when that record arrived. */
export interface RunClock {
  elapsed: number;
  at: number;
}

function runSource(spec: ModelSourceSpec | undefined): RunModelSource {
  if (spec?.kind === 'hub')
    return { kind: 'hub', id: spec.id, revision: spec.revision, endpoint: spec.endpoint };
  if (spec?.kind === 'url') return { kind: 'url', url: spec.url };
  return { kind: 'files' };
}

/** A fresh control word for a run (see TRAINING_CONTROL), where shared memory is allowed. */
function newControl(): SharedArrayBuffer | undefined {
  return typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated
    ? new SharedArrayBuffer(4)
    : undefined;
}

export function useTraining(channel: WorkerChannel, datasetId: string | undefined) {
  const [store] = useState(() => new MetricStore());
  const [runs, setRuns] = useState<RunRecord[]>();
  const [current, setCurrent] = useState<RunRecord>();
  const [activeRunId, setActiveRunId] = useState<string>();
  /** A start or resume was sent and the worker has not answered yet (keeps Start from sending twice). */
  const [requested, setRequested] = useState(false);
  const [phase, setPhase] = useState<{ phase: TrainingPhase; detail?: string }>();
  const [error, setError] = useState<string>();
  const [latestEval, setLatestEval] = useState<LogEntry>();
  const [dataset, setDataset] = useState<DatasetMeta>();
  const clock = useRef<RunClock>({ elapsed: 0, at: 0 });
  const followed = useRef<string | undefined>(undefined);
  /** Log records held by the store for the followed run; a resume re-sends some, which are skipped. */
  const logCount = useRef(0);
  const control = useRef<SharedArrayBuffer | undefined>(undefined);
  const signal = useCallback(
    (value: number) => {
      if (control.current) Atomics.store(new Int32Array(control.current), 0, value);
      channel.send({ type: value === TRAINING_CONTROL.stop ? 'stop-training' : 'pause-training' });
    },
    [channel],
  );
  const db = useRef<Promise<WebTuneDatabase>>(undefined);
  const database = useCallback(() => {
    db.current ??= openWebTuneDB();
    return db.current;
  }, []);

  const refresh = useCallback(async () => {
    try {
      setRuns(await listRuns(await database()));
    } catch (err) {
      setError(`The stored runs cannot be read: ${String(err)}`);
      setRuns([]);
    }
  }, [database]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!datasetId) return;
    let live = true;
    void database()
      .then((handle) => getDataset(handle, datasetId))
      .then((meta) => {
        if (live) setDataset(meta);
      });
    return () => {
      live = false;
    };
  }, [datasetId, database]);

  const follow = useCallback(
    async (run: RunRecord, withLogs: boolean) => {
      followed.current = run.id;
      setCurrent(run);
      store.clear();
      logCount.current = 0;
      setLatestEval(run.latestEval as LogEntry | undefined);
      clock.current = { elapsed: run.trainSeconds, at: performance.now() };
      if (!withLogs) return;
      const logs = (await readRunLogs(await database(), run.id)) as LogEntry[];
      if (followed.current !== run.id) return;
      store.addAll(logs);
      logCount.current = logs.length;
    },
    [database, store],
  );

  useEffect(
    () =>
      channel.subscribe((event: WorkerEvent) => {
        switch (event.type) {
          case 'run-update': {
            const run = event.run;
            setRequested(false);
            if (run.status === 'running') setActiveRunId(run.id);
            else setActiveRunId((id) => (id === run.id ? undefined : id));
            if (followed.current === undefined || followed.current === run.id) {
              followed.current = run.id;
              setCurrent(run);
              if (run.status !== 'running') setPhase(undefined);
            }
            setRuns((list) => (list ? [run, ...list.filter((r) => r.id !== run.id)] : [run]));
            break;
          }
          case 'run-phase':
            if (event.runId === followed.current) setPhase({ phase: event.phase, detail: event.detail });
            break;
          case 'run-log':
            if (event.runId !== followed.current || event.index < logCount.current) break;
            logCount.current = event.index + 1;
            clock.current = { elapsed: event.elapsed, at: performance.now() };
            store.add(event.record as LogEntry);
            if ('eval_loss' in event.record) setLatestEval(event.record as LogEntry);
            break;
          case 'training-error':
            setRequested(false);
            setError(event.message);
            break;
        }
      }),
    [channel, store],
  );

  const start = useCallback(
    (settings: TrainSettings, modelSource: ModelSourceSpec | undefined) => {
      if (!datasetId) return;
      setError(undefined);
      followed.current = undefined;
      setCurrent(undefined);
      setLatestEval(undefined);
      setPhase(undefined);
      store.clear();
      logCount.current = 0;
      clock.current = { elapsed: 0, at: performance.now() };
      control.current = newControl();
      setRequested(true);
      channel.send({
        type: 'start-training',
        control: control.current,
        datasetId,
        args: toTrainingArguments(settings),
        maxLength: settings.max_length,
        modelSource: runSource(modelSource),
      });
    },
    [channel, datasetId, store],
  );

  const pause = useCallback(() => signal(TRAINING_CONTROL.pause), [signal]);

  const resume = useCallback(
    async (run: RunRecord) => {
      setError(undefined);
      await follow(run, true);
      control.current = newControl();
      setRequested(true);
      channel.send({ type: 'resume-training', runId: run.id, control: control.current });
    },
    [channel, follow],
  );

  const stop = useCallback(async () => {
    if (
      current &&
      current.id !== activeRunId &&
      (current.status === 'paused' || current.status === 'running')
    ) {
      // Nothing trains: the run just ends where its pause left it.
      try {
        const run = await updateRun(await database(), current.id, { status: 'stopped' });
        setCurrent(run);
        await refresh();
      } catch (err) {
        setError(`The run could not be stopped: ${String(err)}`);
      }
    } else signal(TRAINING_CONTROL.stop);
  }, [activeRunId, current, database, refresh, signal]);

  const show = useCallback((run: RunRecord) => void follow(run, true), [follow]);

  const remove = useCallback(
    async (run: RunRecord) => {
      try {
        await deleteRun(await database(), run.id);
        if (followed.current === run.id) {
          followed.current = undefined;
          setCurrent(undefined);
          setLatestEval(undefined);
          store.clear();
        }
      } catch (err) {
        setError(`The run could not be deleted: ${String(err)}`);
      }
      await refresh();
    },
    [database, refresh, store],
  );

  return {
    store,
    runs,
    current,
    activeRunId,
    busy: requested || activeRunId !== undefined,
    phase,
    error,
    latestEval,
    dataset,
    clock,
    start,
    pause,
    resume,
    stop,
    show,
    remove,
  };
}
