// The Train step's state: the run it follows (started here, resumed, or picked from the list), the stored runs,
// and the metric store the charts read. Requests go to the training worker; its events update the state.
import type { TaskName } from '../../core/models/registry';
import { nextClock, type PacedClock } from './eta';
import { useCallback, useEffect, useRef, useState } from 'react';
import { getDataset } from '../../core/storage/datasets';
import type { CausalLmDataOptions } from '../../core/train/causal-lm-examples';
import type { DatasetMeta } from '../../core/storage/dataset-types';
import { openWebTuneDB, type WebTuneDatabase } from '../../core/storage/db';
import type { RunModelSource, RunRecord } from '../../core/storage/run-types';
import type { RunState } from '../../core/storage/run-types';
import {
  deleteRun,
  listRuns,
  readRunLogs,
  runLockName,
  runState,
  updateRun,
  type RunActivity,
} from '../../core/storage/runs';
import { storageQuota, type StorageQuota } from '../../core/storage/quota';
import { openRunResults } from '../evaluate/results-store';
import {
  TRAINING_CONTROL,
  type ModelSourceSpec,
  type StartTrainingRequest,
  type TrainingPhase,
  type WorkerEvent,
} from '../../worker/protocol';
import type { WorkerChannel } from '../app/useTrainingWorker';
import { toLoraFields, toTrainingArguments, type TrainSettings } from './defaults';
import { MetricStore, type LogEntry } from './metric-store';

/** What `run-status` shows: the open run's state (see RunState), or idle when no run is open. */
export type RunStatusText = 'idle' | RunState;

export function statusText(run: RunRecord | undefined, activity: RunActivity): RunStatusText {
  return run ? runState(run, activity) : 'idle';
}

/** The runs other tabs of the app are training now: the run locks held outside this page's worker. */
async function runsTrainingElsewhere(activeRunId: string | undefined): Promise<Set<string>> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return new Set();
  const prefix = runLockName('');
  const { held = [] } = await locks.query();
  return new Set(
    held
      .map((lock) => lock.name ?? '')
      .filter((name) => name.startsWith(prefix))
      .map((name) => name.slice(prefix.length))
      .filter((id) => id !== activeRunId),
  );
}

/** The latest checkpoint write of the followed run, for the line under the controls. */
export interface CheckpointState {
  runId: string;
  step: number;
  state: 'writing' | 'saved';
  at: number;
}

/** How often the page looks at the run locks of other tabs. */
const LOCK_POLL_MS = 2000;

/** The live clock of a run: training seconds at the last record and when that record arrived. */
export type RunClock = PacedClock;

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

export function useTraining(
  channel: WorkerChannel,
  datasetId: string | undefined,
  onOpenRun?: (runId: string | undefined) => void,
  initialRunId?: string,
) {
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
  const [elsewhere, setElsewhere] = useState<ReadonlySet<string>>(new Set());
  /** Whether the other tabs' locks have been read once (a run trained elsewhere must not look interrupted). */
  const [locksRead, setLocksRead] = useState(false);
  const [checkpoint, setCheckpoint] = useState<CheckpointState>();
  const [quota, setQuota] = useState<StorageQuota>({});
  const openListener = useRef(onOpenRun);
  useEffect(() => {
    openListener.current = onOpenRun;
  });
  const clock = useRef<RunClock>({ elapsed: 0, at: 0, step: 0 });
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
      const list = await listRuns(await database());
      setRuns(list);
      // The open run as stored now (another tab may have paused, resumed or stopped it).
      const open = list.find((r) => r.id === followed.current);
      if (open) setCurrent(open);
      setQuota(await storageQuota());
    } catch (err) {
      setError(`The stored runs cannot be read: ${String(err)}`);
      setRuns([]);
    }
  }, [database]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Another tab's training shows as running here (its lock is held), not as interrupted; when that tab goes
  // away its lock is released, and the run is interrupted. The list is read again on each change.
  const activeRef = useRef(activeRunId);
  useEffect(() => {
    activeRef.current = activeRunId;
  });
  useEffect(() => {
    let last = '';
    const look = () =>
      void runsTrainingElsewhere(activeRef.current).then(
        (ids) => {
          setLocksRead(true);
          const key = [...ids].sort().join();
          if (key === last) return;
          last = key;
          setElsewhere(ids);
          void refresh();
        },
        () => setLocksRead(true),
      );
    look();
    const timer = setInterval(look, LOCK_POLL_MS);
    return () => clearInterval(timer);
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
      openListener.current?.(run.id);
      setCurrent(run);
      setCheckpoint(undefined);
      store.clear();
      logCount.current = 0;
      setLatestEval(run.latestEval as LogEntry | undefined);
      clock.current = {
        elapsed: run.trainSeconds,
        at: performance.now(),
        step: run.globalStep,
        // A stored run's pace so far, until its own records (a resume) refine it.
        secondsPerStep: run.globalStep > 0 ? run.trainSeconds / run.globalStep : undefined,
      };
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
              if (followed.current === undefined) openListener.current?.(run.id);
              followed.current = run.id;
              setCurrent(run);
              if (run.status !== 'running') setPhase(undefined);
            }
            setRuns((list) => (list ? [run, ...list.filter((r) => r.id !== run.id)] : [run]));
            break;
          }
          case 'run-checkpoint':
            if (event.runId === followed.current)
              setCheckpoint({ runId: event.runId, step: event.step, state: event.state, at: Date.now() });
            if (event.state === 'saved') void storageQuota().then(setQuota, () => undefined);
            break;
          case 'run-phase':
            if (event.runId === followed.current) setPhase({ phase: event.phase, detail: event.detail });
            break;
          case 'run-log':
            if (event.runId !== followed.current || event.index < logCount.current) break;
            logCount.current = event.index + 1;
            clock.current = nextClock(clock.current, event.record.step, event.elapsed, performance.now());
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

  /** Sends a start request; the run is followed once the worker stores it. */
  const send = useCallback(
    (request: Omit<StartTrainingRequest, 'type' | 'control'>) => {
      setError(undefined);
      followed.current = undefined;
      openListener.current?.(undefined);
      setCheckpoint(undefined);
      setCurrent(undefined);
      setLatestEval(undefined);
      setPhase(undefined);
      store.clear();
      logCount.current = 0;
      clock.current = { elapsed: 0, at: performance.now(), step: 0 };
      control.current = newControl();
      setRequested(true);
      channel.send({ type: 'start-training', control: control.current, ...request });
    },
    [channel, store],
  );

  const start = useCallback(
    (
      settings: TrainSettings,
      modelSource: ModelSourceSpec | undefined,
      causalLm?: Partial<CausalLmDataOptions>,
      task?: TaskName,
    ) => {
      if (!datasetId) return;
      send({
        datasetId,
        args: toTrainingArguments(settings),
        ...(causalLm ? { causalLm } : {}),
        ...(task ? { task } : {}),
        ...(settings.mode === 'lora' ? { lora: toLoraFields(settings) } : {}),
        maxLength: settings.max_length,
        modelSource: runSource(modelSource),
      });
    },
    [datasetId, send],
  );

  /** A new run from a finished run's weights, with the form's settings, on the chosen dataset (else its own). */
  const continueFrom = useCallback(
    (
      run: RunRecord,
      settings: TrainSettings,
      modelSource: ModelSourceSpec | undefined,
      causalLm?: Partial<CausalLmDataOptions>,
      task?: TaskName,
    ) =>
      send({
        datasetId: datasetId ?? run.datasetId,
        args: toTrainingArguments(settings),
        ...(causalLm ? { causalLm } : {}),
        ...(task ? { task } : {}),
        maxLength: settings.max_length,
        modelSource: runSource(modelSource),
        modelName: run.modelName,
        continueFrom: run.id,
        name: `${run.name} (continued)`,
      }),
    [datasetId, send],
  );

  /** A new run with a stored run's model, dataset and arguments (its model is loaded again if need be). */
  const startAgain = useCallback(
    (run: RunRecord) =>
      send({
        datasetId: run.datasetId,
        args: run.args,
        maxLength: run.maxLength,
        modelSource: run.modelSource,
        modelName: run.modelName,
        ...(run.causalLm ? { causalLm: run.causalLm } : {}),
        ...(run.task ? { task: run.task } : {}),
        ...(run.datasetConfig ? { datasetConfig: run.datasetConfig } : {}),
      }),
    [send],
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
    const state = current && runState(current, { activeRunId, trainingElsewhere: elsewhere });
    if (current && (state === 'paused' || state === 'interrupted')) {
      // Nothing trains: the run just ends where its pause left it.
      try {
        const run = await updateRun(await database(), current.id, { status: 'stopped' });
        setCurrent(run);
        await refresh();
      } catch (err) {
        setError(`The run could not be stopped: ${String(err)}`);
      }
    } else signal(TRAINING_CONTROL.stop);
  }, [activeRunId, current, database, elsewhere, refresh, signal]);

  /** Opens a run: its charts here, and its model in Evaluate, Playground and Export (unless it is training). */
  const show = useCallback(
    (run: RunRecord) => {
      // The run training here is followed live already: reading its logs back would drop the newest points.
      if (run.id === activeRunId && followed.current === run.id) return;
      void follow(run, true);
      const state = runState(run, { activeRunId, trainingElsewhere: elsewhere });
      if (state !== 'running') void openRunResults(run.id);
    },
    [activeRunId, elsewhere, follow],
  );

  // The run open before a reload opens again, once the stored runs are read (only if nothing else was opened).
  // Without one, a run cut off mid-training opens: after a crash the saved session can lack the open run, as
  // the browser writes localStorage to disk late (and later still after a burst of writes) and a killed
  // browser loses what it had not written.
  const reopened = useRef(false);
  useEffect(() => {
    if (reopened.current || runs === undefined || !locksRead) return;
    reopened.current = true;
    const activity = { activeRunId, trainingElsewhere: elsewhere };
    const run =
      (initialRunId ? runs.find((r) => r.id === initialRunId) : undefined) ??
      [...runs]
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .find((r) => runState(r, activity) === 'interrupted');
    if (run && followed.current === undefined) show(run);
  }, [runs, initialRunId, show, locksRead, activeRunId, elsewhere]);

  const remove = useCallback(
    async (run: RunRecord) => {
      try {
        await deleteRun(await database(), run.id);
        if (followed.current === run.id) {
          followed.current = undefined;
          openListener.current?.(undefined);
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
    activity: { activeRunId, trainingElsewhere: elsewhere } as RunActivity,
    checkpoint: checkpoint?.runId === current?.id ? checkpoint : undefined,
    quota,
    busy: requested || activeRunId !== undefined,
    phase,
    error,
    latestEval,
    dataset,
    clock,
    start,
    startAgain,
    continueFrom,
    pause,
    resume,
    stop,
    show,
    remove,
    refresh,
  };
}
