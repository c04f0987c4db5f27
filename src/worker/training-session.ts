// One training run at a time inside the worker: reads the prepared dataset from IndexedDB, tokenises it once,
// builds the model for its task, runs it through the run service (core/run/fine-tune.ts, as the CLI does) and
// keeps the run in the runs store (record, log_history, checkpoints). Pause and Stop ask the trainer to checkpoint after the current step;
// Resume (also after a reload) rebuilds everything and continues from the stored 'last' checkpoint.
import * as tf from '@tensorflow/tfjs';

import { describeBackend, type BackendInfo } from '../core/backend-info';
import { defaultRunName } from '../core/storage/run-names';
import type { SequenceClassifier } from '../core/models/types';
import { openWebTuneDB, type WebTuneDatabase } from '../core/storage/db';
import { sequenceClassificationTask } from '../core/tasks/sequence-classification';
import { measureMicroBatchSeconds } from '../core/train/warm-up';
import { loadPreparedDataset } from '../core/storage/prepared';
import type {
  CausalLmTrainingRecord,
  StoredRunResults,
  RunLogEntry,
  RunModelSource,
  RunRecord,
  RunStatus,
} from '../core/storage/run-types';
import {
  appendRunLogs,
  getRun,
  listRuns,
  loadFinalModel,
  loadLastCheckpoint,
  newRunId,
  putRun,
  runLockName,
  saveFinalModel,
  saveRunCheckpoint,
  updateRun,
} from '../core/storage/runs';
import { availableBytes } from '../core/storage/quota';
import { isQuotaError, storageShortMessage } from '../core/storage/space';
import type { TensorMap } from '../core/hub/tensors';
import { restoreWeights, snapshotWeights, type TrainableModel } from '../core/train/weights';
import { continuationRefusal, continuationWeights, rebuildRunClassifier, storedVariables } from './run-model';
import { getDataset } from '../core/storage/datasets';
import { resolveTrainingArguments, type TrainingArguments } from '../core/train/arguments';
import { decodeCheckpoint, encodeCheckpoint } from '../core/train/checkpoint';
import {
  TrainingDivergedError,
  type TrainerCheckpoint,
  type TrainHooks,
  type TrainResult,
} from '../core/train/trainer';
import { bestModelRule } from '../core/metrics/best-model';
import { WEBTUNE_VERSION } from '../core/export/version';
import type { LoadedDecoder, LoadedModel } from './model-session';
import type { TaskName } from '../core/models/registry';
import type { CausalLM } from '../core/models/causal-lm';
import type { TokenizerFiles } from '../core/hub/load';
import type { TextTokenizer } from '../core/tokenize/tokenizer';
import { causalLmPadId, causalLmTask } from '../core/tasks/causal-lm';
import { chatMlModeProblem } from '../core/data/causal-lm-options';
import { DEFAULT_SPLIT } from '../core/data/prepare';
import {
  causalLmExampleFacts,
  causalLmRunTask,
  describeCausalLmExamples,
  causalLmEvaluator,
} from '../core/run/causal-lm';
import { fineTune, planRun } from '../core/run/fine-tune';
import { classifierEvaluator } from '../core/run/sequence-classification';
import {
  buildRunCausalLm,
  causalLmDataFacts,
  causalLmTrainingRecord,
  CausalLmSetupMemo,
  reopenCausalLm,
} from './causal-lm-run';
import { clearResultsModel, setResultsModel, type ResultsModel } from './results-state';
import { datasetSummary } from '../core/export/dataset-summary';
import { hyperparameters } from './results-training-record';
import type { PreparedDataset } from '../core/data/prepare';
import { effectiveMaxLength } from './training-data';
import { buildRunClassifier, readClassifierData, runLoraFields, type SetUpReport } from './classifier-run';
import {
  TRAINING_CONTROL,
  type MeasureStepTimeRequest,
  type StartTrainingRequest,
  type StepTimeMeasurement,
  type TrainingEvent,
  type TrainingPhase,
} from './protocol';

export interface TrainingHost {
  post(event: TrainingEvent): void;
  /** The model loaded now, if any. */
  currentModel(): LoadedModel | undefined;
  /** Loads a run's model again (a resume after a reload); throws when it cannot (a dropped folder). */
  reloadModel(source: RunModelSource, name: string): Promise<LoadedModel>;
  backend(): BackendInfo | undefined;
}

/** The classifier of the last run, kept for evaluation, the playground and export until the next run starts. */
export interface TrainedModel {
  runId: string;
  model: SequenceClassifier;
  loaded: LoadedModel;
  labels: string[];
  maxLength: number;
  /** What was registered as the results model when the run ended, to register again when it is reopened. */
  results: ResultsModel;
}

/** The decoder of the last causal-LM run, kept for the export and the Playground until the next run starts. */
export interface TrainedCausalLm {
  runId: string;
  model: CausalLM;
  loaded: LoadedDecoder;
  /** The run's tokenizer (with ChatML when it was added) and the files the export writes for it. */
  tokenizer: TextTokenizer;
  tokenizerFiles: TokenizerFiles;
  record: CausalLmTrainingRecord;
  /** The Hub id the base model came from, for the model card and config (absent for a URL or dropped folder). */
  hubId?: string;
}

/** A checkpoint or final-model write that failed; `paused` when the run can resume once there is room. */
class StorageWriteError extends Error {
  constructor(
    message: string,
    readonly paused: boolean,
  ) {
    super(message);
  }
}

/** How often buffered log records are written between checkpoints. */
const LOG_FLUSH_MS = 2000;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class TrainingSession {
  private active?: { runId: string; control: { aborted: boolean }; reason?: 'pause' | 'stop' };
  private trained?: TrainedModel;
  private trainedLm?: TrainedCausalLm;
  private dbPromise?: Promise<WebTuneDatabase>;
  /** The time measurement in progress (one at a time); a start waits for it rather than share the backend. */
  private measuring: Promise<unknown> = Promise.resolve();
  /** The newest measurement asked for: an older one still queued is not worth running. */
  private latestMeasurement = 0;
  /** Starts and resumes under way (from the request to the end of the run): no measurement then. */
  private launching = 0;
  /** A decoder's data set-up, made once for the estimate and the Start that follows it. */
  private readonly causalLmSetups = new CausalLmSetupMemo();

  constructor(private readonly host: TrainingHost) {}

  get activeRunId(): string | undefined {
    return this.active?.runId;
  }

  /** The model of the last run (finished, paused, stopped), or undefined while none or while one trains. */
  trainedModel(): TrainedModel | undefined {
    return this.active ? undefined : this.trained;
  }

  private db(): Promise<WebTuneDatabase> {
    this.dbPromise ??= openWebTuneDB();
    return this.dbPromise;
  }

  pause(): void {
    if (this.active) {
      this.active.reason = 'pause';
      this.active.control.aborted = true;
    }
  }

  stop(): void {
    if (this.active) {
      this.active.reason = 'stop';
      this.active.control.aborted = true;
    }
  }

  /** Runs a start or resume once the measurement in progress (if any) is done, refusing new ones meanwhile. */
  private async launch(go: () => Promise<void>): Promise<void> {
    this.launching += 1;
    try {
      await this.measuring.catch(() => undefined);
      await go();
    } finally {
      this.launching -= 1;
    }
  }

  start(request: StartTrainingRequest): Promise<void> {
    return this.launch(() => this.startNow(request));
  }

  resume(runId: string, controlBuffer?: SharedArrayBuffer): Promise<void> {
    return this.launch(() => this.resumeNow(runId, controlBuffer));
  }

  /**
   * Before Start: seconds of one micro-batch of the classification run these settings would make, on its real
   * data (the longest examples) and on a classifier built as the run builds it, then freed; nothing trains and
   * nothing is stored but the tokenised data's cache, which the run then reads. One at a time; refused while
   * a run starts or trains (the time would be the run's, and the memory too).
   */
  measureStepTime(request: MeasureStepTimeRequest): Promise<StepTimeMeasurement> {
    this.latestMeasurement = Math.max(this.latestMeasurement, request.id);
    const next = this.measuring.catch(() => undefined).then(() => this.measureNow(request));
    this.measuring = next;
    return next;
  }

  /**
   * Why a measurement should stop now, if it should: a run starts or trains (the estimate would slow it, and
   * its time would be the run's), or the form asked for a newer one. Asked before it begins and between passes.
   */
  private measurementAbandoned(id: number): string | undefined {
    if (this.active || this.launching > 0)
      return 'A run is training: the time is estimated before Start, not during a run.';
    if (id < this.latestMeasurement) return 'Superseded by a newer estimate.';
    return undefined;
  }

  private async measureNow(request: MeasureStepTimeRequest): Promise<StepTimeMeasurement> {
    const abandoned = () => this.measurementAbandoned(request.id);
    const reason = abandoned();
    if (reason !== undefined) throw new Error(reason);
    const loaded = this.host.currentModel();
    if (!loaded) throw new Error('Load a model in the Model step first.');
    const db = await this.db();
    const dataset = await getDataset(db, request.datasetId);
    if (!dataset) throw new Error(`Dataset ${request.datasetId} is not stored (was it deleted?).`);
    const args = resolveTrainingArguments(request.args);
    if (loaded.kind === 'decoder' && runTask(loaded, request.task) === 'causal-lm') {
      // A causal LM's examples (blocks or rows) come from its data options; they are counted here too.
      const { setup, decoder } = await this.causalLmSetups.setUp(
        db,
        loaded,
        dataset,
        { datasetConfig: dataset.confirmed },
        request.causalLm ?? {},
      );
      const { data } = setup;
      const lora = runLoraFields(loaded, args.mode, request.lora);
      const lm = buildRunCausalLm(decoder, { args, name: 'the estimate', ...lora }, false);
      try {
        return {
          secondsPerMicroBatch: await measureMicroBatchSeconds(causalLmTask, lm, data.train, args, {
            abandoned,
          }),
          batchSize: args.per_device_train_batch_size,
          evalExamples: data.validation.length,
          trainExamples: data.train.length,
          backend: this.backendLine(),
        };
      } finally {
        lm.dispose();
      }
    }
    const maxLength = effectiveMaxLength(request.maxLength, loaded.facts.maxLength);
    const silent: SetUpReport = () => undefined;
    const data = await readClassifierData(
      db,
      { datasetId: dataset.id, datasetName: dataset.name, maxLength, args },
      loaded,
      silent,
    );
    const run = {
      args: data.plan.args,
      name: 'the estimate',
      ...runLoraFields(loaded, args.mode, request.lora),
    };
    const model = buildRunClassifier(loaded, run, data.prepared.labels.length, false, silent);
    try {
      const secondsPerMicroBatch = await measureMicroBatchSeconds(
        sequenceClassificationTask,
        model,
        data.train,
        data.plan.args,
        { abandoned },
      );
      return {
        secondsPerMicroBatch,
        batchSize: data.plan.args.per_device_train_batch_size,
        evalExamples: data.validation.length,
        trainExamples: data.train.length,
        backend: this.backendLine(),
      };
    } finally {
      model.dispose();
    }
  }

  /** The run service's phases as the page shows them (on webgpu an untimed pass first compiles the shaders). */
  private trainingPhase(runId: string, phase: 'warming-up' | 'training'): void {
    if (phase === 'warming-up') this.phase(runId, 'warming-up', 'compiling the GPU shaders');
    else this.phase(runId, 'training');
  }

  /** The checkpoint a resume starts from; a run without one cannot resume. */
  private async lastCheckpoint(
    db: WebTuneDatabase,
    run: Pick<RunRecord, 'id' | 'name'>,
  ): Promise<TrainerCheckpoint> {
    const bytes = await loadLastCheckpoint(db, run.id);
    if (!bytes) throw new Error(`Run ${run.name} has no checkpoint to resume from.`);
    return decodeCheckpoint(bytes, `the checkpoint of run ${run.name}`);
  }

  private async startNow(request: StartTrainingRequest): Promise<void> {
    if (this.active) {
      this.host.post({
        type: 'training-error',
        message: 'A run is already training: pause or stop it first.',
      });
      return;
    }
    let run: RunRecord;
    try {
      let loaded = this.host.currentModel();
      if (request.modelName !== undefined && loaded?.facts.name !== request.modelName) {
        loaded = await this.host.reloadModel(request.modelSource, request.modelName);
      }
      if (!loaded) throw new Error('Load a model in the Model step before training.');
      const db = await this.db();
      const dataset = await getDataset(db, request.datasetId);
      if (!dataset) throw new Error(`Dataset ${request.datasetId} is not stored (was it deleted?).`);
      const args = resolveTrainingArguments(request.args);
      const maxLength = effectiveMaxLength(request.maxLength, loaded.facts.maxLength);
      const task = runTask(loaded, request.task);
      const earlier = request.continueFrom
        ? await this.continuationOf(request.continueFrom, loaded.facts.name, args.mode, task)
        : undefined;
      const continuedFrom = earlier && {
        runId: earlier.id,
        runName: earlier.name,
        step: earlier.finalModel?.step ?? 0,
      };
      // A LoRA run that continues a LoRA run trains the same adapters further: the earlier run's LoRA fields.
      // One started with a PEFT adapter loaded (Model step) continues that adapter: its config, as the CLI's
      // --mode lora --adapter does.
      const { lora, loraAdapter } = earlier
        ? { lora: earlier.args.mode === 'lora' ? earlier.lora : request.lora, loraAdapter: undefined }
        : runLoraFields(loaded, args.mode, request.lora);
      const now = Date.now();
      const name =
        request.name ??
        defaultRunName(
          {
            modelName: loaded.facts.name,
            datasetId: dataset.id,
            datasetName: dataset.name,
            args,
            maxLength,
            createdAt: now,
          },
          await listRuns(db).catch(() => []),
        );
      run = {
        id: newRunId(),
        name,
        createdAt: now,
        updatedAt: now,
        status: 'running',
        modelName: loaded.facts.name,
        modelSource: request.modelSource,
        architecture: loaded.facts.modelType,
        datasetId: dataset.id,
        datasetName: dataset.name,
        datasetConfig: request.datasetConfig ?? dataset.confirmed,
        labels: [],
        trainExamples: 0,
        evalExamples: 0,
        maxLength,
        args,
        ...(task === 'causal-lm'
          ? { task: 'causal-lm' as const, causalLm: request.causalLm ?? {} }
          : loaded.kind === 'decoder'
            ? { task: 'sequence-classification' as const }
            : {}),
        ...(args.mode === 'lora' ? { lora: lora ?? {} } : {}),
        ...(loraAdapter ? { loraAdapter } : {}),
        backend: this.backendLine(),
        totalSteps: 0,
        globalStep: 0,
        trainSeconds: 0,
        logCount: 0,
        ...(continuedFrom ? { continuedFrom } : {}),
      };
    } catch (err) {
      this.host.post({ type: 'training-error', message: messageOf(err) });
      return;
    }
    await this.execute(run, false, request.control);
  }

  /**
   * The run a new one continues from: it must have a final model, made from the model loaded now; a LoRA run
   * continues only a LoRA run (what it stores is an adapter over the base model, not every weight).
   */
  private async continuationOf(
    runId: string,
    modelName: string,
    mode: TrainingArguments['mode'],
    task: TaskName,
  ): Promise<RunRecord> {
    const earlier = await getRun(await this.db(), runId);
    if (!earlier) throw new Error('The run to continue from is no longer stored.');
    if (!earlier.finalModel)
      throw new Error(`Run ${earlier.name} kept no final model, so there is nothing to continue from.`);
    if (earlier.modelName !== modelName)
      throw new Error(`Run ${earlier.name} fine-tuned ${earlier.modelName}; load that model to continue it.`);
    const refusal = continuationRefusal(earlier, mode);
    if (refusal) throw new Error(refusal);
    const earlierTask = earlier.task ?? 'sequence-classification';
    if (earlierTask !== task)
      throw new Error(
        `Run ${earlier.name} trained for ${earlierTask}; a ${task} run cannot continue it (their heads differ): start a new run.`,
      );
    return earlier;
  }

  private async resumeNow(runId: string, controlBuffer?: SharedArrayBuffer): Promise<void> {
    if (this.active) {
      this.host.post({
        type: 'training-error',
        message: 'A run is already training: pause or stop it first.',
      });
      return;
    }
    const db = await this.db();
    const run = await getRun(db, runId);
    if (!run) {
      this.host.post({ type: 'training-error', message: `Run ${runId} is not stored (was it deleted?).` });
      return;
    }
    await this.execute(run, true, controlBuffer);
  }

  private backendLine(): string {
    const info = this.host.backend();
    return info ? describeBackend(info) : tf.getBackend();
  }

  private phase(runId: string, phase: TrainingPhase, detail?: string): void {
    this.host.post({ type: 'run-phase', runId, phase, detail });
  }

  /**
   * Trains a run while holding its Web Lock, so two tabs never train (and write) one run: the second is told
   * the run is open elsewhere and nothing is touched. A tab that goes away releases its locks.
   */
  private async execute(
    initial: RunRecord,
    resuming: boolean,
    controlBuffer: SharedArrayBuffer | undefined,
  ): Promise<void> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return this.executeLocked(initial, resuming, controlBuffer);
    let held = false;
    await locks.request(runLockName(initial.id), { ifAvailable: true }, async (lock) => {
      if (!lock) return;
      held = true;
      await this.executeLocked(initial, resuming, controlBuffer);
    });
    if (!held)
      this.host.post({
        type: 'training-error',
        message: `${initial.name} is being trained in another tab of WebTune: follow it there, or close that tab first.`,
      });
  }

  /** Why a write did not go through, in words: for a full disk, which runs to delete to make room. */
  private async writeFailure(
    db: WebTuneDatabase,
    run: RunRecord,
    what: string,
    bytes: number,
    err: unknown,
  ): Promise<StorageWriteError> {
    if (!isQuotaError(err))
      return new StorageWriteError(`${what} could not be stored: ${messageOf(err)}`, false);
    const [runs, free] = await Promise.all([
      listRuns(db).catch(() => []),
      availableBytes().catch(() => undefined),
    ]);
    return new StorageWriteError(storageShortMessage(what, runs, bytes, free, new Set([run.id])), true);
  }

  /** Runs (or resumes) a run to its end, a pause, a stop or a failure; every outcome is stored and posted. */
  private async executeLocked(
    initial: RunRecord,
    resuming: boolean,
    controlBuffer: SharedArrayBuffer | undefined,
  ): Promise<void> {
    const control = { aborted: false };
    this.active = { runId: initial.id, control };
    // On wasm a step's reads resolve without returning to the event loop, so a pause message would wait for the
    // next checkpoint: the page also writes its request into shared memory, which the trainer reads every step.
    const shared = controlBuffer ? new Int32Array(controlBuffer) : undefined;
    const signal = {
      get aborted(): boolean {
        return control.aborted || (shared !== undefined && Atomics.load(shared, 0) !== TRAINING_CONTROL.run);
      },
    };
    const db = await this.db();
    let run: RunRecord = { ...initial, status: 'running', error: undefined, backend: this.backendLine() };
    const publish = (next: RunRecord): void => {
      run = next;
      this.host.post({ type: 'run-update', run });
    };
    let model: SequenceClassifier | undefined;
    let lm: CausalLM | undefined;
    let segmentStart = performance.now();
    // Training seconds of earlier segments (before a pause or a reload) plus this one's.
    const earlierSeconds = initial.trainSeconds;
    const elapsed = (): number => earlierSeconds + (performance.now() - segmentStart) / 1000;
    // Every IndexedDB write goes through this chain, so the log flushes and checkpoints never interleave.
    let writes: Promise<unknown> = Promise.resolve();
    const write = <T>(fn: () => Promise<T>): Promise<T> => {
      const next = writes.then(fn);
      writes = next.catch(() => undefined);
      return next;
    };
    let pendingLogs: RunLogEntry[] = [];
    let pendingFrom = 0;
    let lastFlush = performance.now();
    const flushLogs = (patch: Partial<RunRecord> = {}): Promise<void> => {
      const records = pendingLogs;
      const from = pendingFrom;
      pendingFrom += records.length;
      pendingLogs = [];
      lastFlush = performance.now();
      return write(() => appendRunLogs(db, run.id, from, records, patch));
    };

    /**
     * The trainer with the hooks every task shares: each log record posted and flushed now and then, checkpoints
     * written in the background (one at a time; the best weights with them), a failed write stopping the run.
     * `go` runs the run service (core/run/fine-tune.ts) with these hooks. Stores nothing of the end: the caller does.
     */
    const runTrainer = async <Run extends { result: TrainResult }>(
      args: TrainingArguments,
      resumeFrom: TrainerCheckpoint | undefined,
      go: (hooks: Omit<TrainHooks<unknown>, 'onEvaluate'>) => Promise<Run>,
    ): Promise<{
      fineTuned: Run;
      trainSeconds: number;
      latestEval?: RunLogEntry;
      status: RunStatus;
    }> => {
      const rule = bestModelRule(args.metric_for_best_model, args.greater_is_better);
      let bestSavedStep = run.bestCheckpoint?.step;
      let latestEval = run.latestEval;
      let logIndex = pendingFrom;
      let checkpointFailure: StorageWriteError | undefined;
      segmentStart = performance.now();

      const fineTuned = await go({
        resumeFrom,
        signal,
        // The batch does not fit in memory and runs as micro-batches: the phase line says so.
        onNotice: (message) => this.phase(run.id, 'training', message),
        onLog: (record) => {
          const entry = { ...record } as RunLogEntry;
          if ('eval_loss' in entry) latestEval = entry;
          this.host.post({
            type: 'run-log',
            runId: run.id,
            index: logIndex,
            record: entry,
            elapsed: elapsed(),
          });
          logIndex += 1;
          pendingLogs.push(entry);
          if (performance.now() - lastFlush > LOG_FLUSH_MS)
            void flushLogs({ globalStep: entry.step, latestEval, trainSeconds: elapsed() }).catch(() => {
              // A failed flush is retried by the next checkpoint, which writes the whole history.
            });
        },
        onCheckpoint: async (checkpoint) => {
          if (checkpointFailure) throw checkpointFailure;
          const isBest =
            checkpoint.bestStep === checkpoint.globalStep &&
            checkpoint.bestMetric !== undefined &&
            bestSavedStep !== checkpoint.globalStep;
          const bytes = encodeCheckpoint(checkpoint);
          // The write goes on in the background while training continues; at most one is in flight, so a
          // slow disk holds training back by the rest of the previous write, never more.
          await writes;
          if (checkpointFailure) throw checkpointFailure;
          pendingLogs = [];
          pendingFrom = checkpoint.logHistory.length;
          const step = checkpoint.globalStep;
          if (isBest) bestSavedStep = step;
          this.host.post({ type: 'run-checkpoint', runId: run.id, step, state: 'writing' });
          void write(async () => {
            try {
              await saveRunCheckpoint(db, run.id, {
                step,
                bytes,
                logHistory: checkpoint.logHistory,
                best: isBest
                  ? {
                      weights: checkpoint.weights,
                      metric: rule.key,
                      value: checkpoint.bestMetric as number,
                    }
                  : undefined,
                patch: { globalStep: step, latestEval, trainSeconds: elapsed() },
              });
            } catch (err) {
              // The trainer stops at its next step; the run keeps its previous checkpoint.
              checkpointFailure = await this.writeFailure(
                db,
                run,
                `the checkpoint of step ${step}`,
                bytes.byteLength,
                err,
              );
              control.aborted = true;
              return;
            }
            this.host.post({ type: 'run-checkpoint', runId: run.id, step, state: 'saved' });
            publish((await getRun(db, run.id)) ?? run);
          });
        },
      });

      const trainSeconds = elapsed();
      await flushLogs();
      await writes;
      if (checkpointFailure) throw checkpointFailure;
      const reason =
        this.active?.reason ??
        (shared && Atomics.load(shared, 0) === TRAINING_CONTROL.stop ? 'stop' : shared ? 'pause' : undefined);
      const status: RunStatus =
        fineTuned.result.status === 'stopped' ? (reason === 'stop' ? 'stopped' : 'paused') : 'finished';
      return { fineTuned, trainSeconds, latestEval, status };
    };

    /**
     * The end of a run: its record patched with how it ended, and the model it ends with kept beside it so that
     * Evaluate, Playground and Export can open it later (with LoRA, as in its checkpoints, only what trained and
     * its config). A failed write still stores the patch, with the reason; the trained model stays open.
     * Returns the stored record, or undefined when the model could not be kept.
     */
    const keepFinalModel = async (
      trained: TrainableModel,
      step: number,
      results: Omit<StoredRunResults, 'lora'>,
      endPatch: Partial<RunRecord>,
    ): Promise<RunRecord | undefined> => {
      const finalWeights = await snapshotWeights(trained, storedVariables(trained));
      try {
        const stored = await saveFinalModel(db, run.id, {
          step,
          weights: finalWeights,
          results: { ...results, ...(trained.lora ? { lora: trained.lora.config } : {}) },
          patch: endPatch,
        });
        publish(stored);
        return stored;
      } catch (err) {
        const failure = await this.writeFailure(
          db,
          run,
          `keeping the model of ${run.name}`,
          [...finalWeights.values()].reduce((n, t) => n + t.data.byteLength, 0),
          err,
        );
        publish(await updateRun(db, run.id, { ...endPatch, error: failure.message }));
        return undefined;
      }
    };

    try {
      if (resuming) await putRun(db, { ...run, updatedAt: Date.now() });
      else await putRun(db, run);
      publish(run);

      let loaded = this.host.currentModel();
      if (!loaded || loaded.facts.name !== run.modelName) {
        this.phase(run.id, 'loading-model', run.modelName);
        loaded = await this.host.reloadModel(run.modelSource, run.modelName);
      }
      if (loaded.kind === 'decoder' && run.task !== 'sequence-classification') {
        // A causal LM: its data prepared by core/run/causal-lm.ts (as the CLI's), the trainer with the hooks
        // above, the final evaluation of the weights it ends with, and what the export needs kept with them.
        this.phase(run.id, 'reading-data', run.datasetName);
        const meta = await getDataset(db, run.datasetId);
        if (!meta) throw new Error(`Dataset ${run.datasetName} is not stored (was it deleted?).`);
        const { generative, setup, decoder } = await this.causalLmSetups.setUp(
          db,
          loaded,
          meta,
          run,
          run.causalLm ?? {},
          (rows) =>
            this.phase(
              run.id,
              'tokenizing',
              `${rows.train.length + rows.validation.length} rows of ${rows.report.kind} data`,
            ),
        );
        const { data } = setup;
        if (
          resuming &&
          run.causalLmData &&
          (run.causalLmData.kind !== generative.report.kind ||
            data.train.length !== run.trainExamples ||
            data.validation.length !== run.evalExamples)
        )
          throw new Error(
            `Cannot resume ${run.name}: its data now makes ${data.train.length} training and ` +
              `${data.validation.length} validation examples of ${generative.report.kind} data; the run was ` +
              `trained on ${run.trainExamples} and ${run.evalExamples} of ${run.causalLmData.kind} data.`,
          );
        const modeProblem = chatMlModeProblem(setup.chatTemplateAdded, run.args.mode, run.modelName);
        if (modeProblem) throw new Error(modeProblem);
        const { args, totalSteps } = planRun(run.args, data.train.length, data.validation.length);
        this.phase(run.id, 'building', describeCausalLmExamples(generative.report.kind, data));
        this.disposeTrained();
        lm = buildRunCausalLm(decoder, run, resuming);
        const causal = lm;
        // A continuation starts from the earlier run's final weights; a resume then overwrites them anyway.
        if (run.continuedFrom && !resuming)
          await this.continueFrom(db, run.continuedFrom, decoder, causal, args.mode);
        const resumeFrom = resuming ? await this.lastCheckpoint(db, run) : undefined;
        pendingFrom = resumeFrom?.logHistory.length ?? 0;
        publish(
          await updateRun(db, run.id, {
            status: 'running',
            error: undefined,
            task: 'causal-lm',
            causalLm: data.options,
            causalLmData: causalLmDataFacts(setup, generative.report.kind),
            // What "Download as a training project" writes: the rows as split and how they became examples.
            causalLmProject: {
              kind: generative.report.kind,
              train: generative.train,
              validation: generative.validation,
              ...causalLmExampleFacts(setup, causalLmPadId(causal), causal.maxLength),
            },
            labels: [],
            trainExamples: data.train.length,
            evalExamples: data.validation.length,
            totalSteps,
            args,
            backend: run.backend,
            globalStep: resumeFrom?.globalStep ?? 0,
            logCount: pendingFrom,
          }),
        );
        const { fineTuned, trainSeconds, latestEval, status } = await runTrainer(args, resumeFrom, (hooks) =>
          fineTune({
            task: causalLmRunTask(setup),
            model: causal,
            train: data.train,
            validation: data.validation,
            args,
            backend: tf.getBackend(),
            hooks,
            onPhase: (phase) => this.trainingPhase(run.id, phase),
            evaluateExported: causalLmEvaluator(setup),
          }),
        );
        const { result } = fineTuned;
        const summary = status === 'finished' ? result.logHistory.at(-1) : undefined;
        // The weights it ends with, evaluated as the CLI evaluates them (loss, perplexity, and BLEU / ROUGE-L of
        // greedy generations for instruction and chat data); a paused run is evaluated when it ends.
        const evaluation = status === 'paused' ? undefined : await fineTuned.evaluate();
        const split = (run.datasetConfig ?? meta.confirmed)?.split ?? DEFAULT_SPLIT;
        const record = causalLmTrainingRecord(
          run,
          meta,
          generative,
          setup,
          split,
          args,
          result.logHistory,
          evaluation,
          {
            backend: run.backend ?? this.backendLine(),
            webtuneVersion: WEBTUNE_VERSION,
            tfjsVersion: tf.version.tfjs,
            trainRuntimeSeconds: trainSeconds,
          },
        );
        const { samples: _samples, ...figures } = evaluation ?? {};
        const endPatch: Partial<RunRecord> = {
          status,
          globalStep: result.globalStep,
          trainSeconds,
          latestEval,
          error: undefined,
          ...(summary ? { summary: summary as RunLogEntry } : {}),
          ...(evaluation ? { finalEvaluation: figures as RunRecord['finalEvaluation'] } : {}),
        };
        await keepFinalModel(causal, result.globalStep, { pairs: false, causalLm: record }, endPatch);
        this.trainedLm = {
          runId: run.id,
          model: causal,
          loaded: decoder,
          tokenizer: setup.tokenizer,
          tokenizerFiles: setup.tokenizerFiles,
          record,
          ...(run.modelSource.kind === 'hub' ? { hubId: run.modelSource.id } : {}),
        };
        lm = undefined;
        return;
      }
      this.phase(run.id, 'reading-data', run.datasetName);
      const report: SetUpReport = (phase, detail) => this.phase(run.id, phase, detail);
      const data = await readClassifierData(db, run, loaded, report);
      const { prepared, datasetMeta, datasetConfig } = data;
      const { args, totalSteps } = data.plan;
      const [trainSet, evalSet] = [data.train, data.validation];
      const mapping = datasetConfig?.mapping;

      this.phase(run.id, 'building', `${prepared.labels.length} labels`);
      this.disposeTrained();
      model = buildRunClassifier(loaded, { ...run, args }, prepared.labels.length, resuming, report);
      const classifier = model;

      // A continuation starts from the earlier run's final weights; a resume then overwrites them anyway.
      if (run.continuedFrom && !resuming)
        await this.continueFrom(db, run.continuedFrom, loaded, model, args.mode, (earlier) => {
          if (earlier.labels.join('\u0000') !== prepared.labels.join('\u0000'))
            throw new Error(
              `Run ${earlier.name} was trained on the labels ${earlier.labels.join(', ')}; this dataset has ` +
                `${prepared.labels.join(', ')}: continue on data with the same labels.`,
            );
        });
      const resumeFrom = resuming ? await this.lastCheckpoint(db, run) : undefined;
      pendingFrom = resumeFrom?.logHistory.length ?? 0;
      publish(
        await updateRun(db, run.id, {
          status: 'running',
          error: undefined,
          labels: prepared.labels,
          trainExamples: trainSet.length,
          evalExamples: evalSet.length,
          totalSteps,
          args,
          backend: run.backend,
          globalStep: resumeFrom?.globalStep ?? 0,
          logCount: pendingFrom,
        }),
      );
      const { fineTuned, trainSeconds, latestEval, status } = await runTrainer(args, resumeFrom, (hooks) =>
        fineTune({
          task: sequenceClassificationTask,
          model: classifier,
          train: trainSet,
          validation: evalSet,
          args,
          backend: tf.getBackend(),
          hooks,
          onPhase: (phase) => this.trainingPhase(run.id, phase),
          evaluateExported: classifierEvaluator(prepared.labels),
        }),
      );
      const { result } = fineTuned;
      const summary = status === 'finished' ? result.logHistory.at(-1) : undefined;
      // Evaluate, the model card and metrics report the weights the run ends with (a paused run's when it ends).
      const exportedEvaluation = status === 'paused' ? undefined : await fineTuned.evaluate();
      const results: ResultsModel = {
        classifier: model,
        tokenizer: loaded.tokenizer,
        labels: prepared.labels,
        maxLength: run.maxLength,
        base: loaded,
        ...(run.modelSource.kind === 'hub'
          ? { hubId: run.modelSource.id, revision: run.modelSource.revision }
          : {}),
        pairs: prepared.train.some((e) => e.text2 !== undefined),
        origin: 'trained',
        validation: prepared.validation,
        owned: false,
        training: {
          dataset: datasetSummary({
            fileName: run.datasetName,
            textColumns: [mapping?.text, mapping?.text2].filter((c): c is string => c !== undefined),
            labelColumn: mapping?.label ?? 'label',
            labels: prepared.labels,
            report: prepared.report,
            trainRows: trainSet.length,
            validationRows: evalSet.length,
            split:
              prepared.report.validationFrom === 'file'
                ? {
                    kind: 'file',
                    validationFileName:
                      datasetMeta.parts.find((p) => p.role === 'validation')?.file ?? 'the validation file',
                  }
                : {
                    kind: 'stratified',
                    validationFraction: datasetConfig?.split.validationShare ?? 0.1,
                    seed: datasetConfig?.split.seed ?? 42,
                  },
          }),
          hyperparameters: hyperparameters({ ...args }, run.maxLength),
          logHistory: result.logHistory,
          ...(exportedEvaluation ? { finalEvaluation: exportedEvaluation } : {}),
          run: {
            backend: run.backend ?? this.backendLine(),
            webtuneVersion: WEBTUNE_VERSION,
            tfjsVersion: tf.version.tfjs,
            trainRuntimeSeconds: trainSeconds,
          },
        },
        run: { id: run.id, name: run.name, step: result.globalStep },
      };
      const endPatch: Partial<RunRecord> = {
        status,
        globalStep: result.globalStep,
        trainSeconds,
        latestEval,
        error: undefined,
        ...(summary ? { summary: summary as RunLogEntry } : {}),
      };
      const stored = await keepFinalModel(
        model,
        result.globalStep,
        { pairs: results.pairs, training: results.training },
        endPatch,
      );
      if (stored)
        results.run = {
          id: run.id,
          name: run.name,
          step: result.globalStep,
          savedAt: stored.finalModel?.savedAt,
        };
      this.trained = {
        runId: run.id,
        model,
        loaded,
        labels: prepared.labels,
        maxLength: run.maxLength,
        results,
      };
      // Evaluate, Playground and Export act on this classifier from now on (the session keeps ownership).
      setResultsModel(results);
      model = undefined;
    } catch (err) {
      await writes;
      let message = messageOf(err);
      if (err instanceof TrainingDivergedError) {
        // Keep the last good state: a lower learning rate can resume from it.
        try {
          await saveRunCheckpoint(db, run.id, {
            step: err.checkpoint.globalStep,
            bytes: encodeCheckpoint(err.checkpoint),
            logHistory: err.checkpoint.logHistory,
            patch: { globalStep: err.checkpoint.globalStep },
          });
        } catch (saveErr) {
          message += ` (its last good state could not be stored: ${messageOf(saveErr)})`;
        }
      }
      // A full disk pauses the run (it resumes from its last checkpoint once there is room); anything else fails it.
      const status = err instanceof StorageWriteError && err.paused ? 'paused' : 'failed';
      const failed: RunRecord = { ...run, status, error: message, updatedAt: Date.now() };
      try {
        publish(await updateRun(db, run.id, { status, error: message, trainSeconds: elapsed() }));
      } catch {
        publish(failed);
      }
    } finally {
      model?.dispose();
      lm?.dispose();
      this.active = undefined;
    }
  }

  /**
   * Makes a stored run's model the results model: the classifier this session trained when it is that run's,
   * else one rebuilt from the base model (loaded again from the browser's cache when another is loaded) and the
   * weights the run ended with, or those of its last checkpoint (a paused or interrupted run). Its validation
   * rows come from its dataset under the config it was trained with, when that dataset is still stored.
   */
  async openRun(runId: string): Promise<void> {
    if (this.active?.runId === runId)
      throw new Error('This run is training: pause or stop it to evaluate, try or download its model.');
    const db = await this.db();
    const run = await getRun(db, runId);
    if (!run) throw new Error(`Run ${runId} is not stored (was it deleted?).`);
    if (run.task === 'causal-lm') return this.openCausalLmRun(db, run);
    // The classifier in memory, unless another tab has trained the run further since.
    const kept = this.trained?.runId === runId ? this.trained.results : undefined;
    if (kept && kept.run?.savedAt === run.finalModel?.savedAt) {
      setResultsModel(kept);
      return;
    }
    let weights: TensorMap | undefined;
    let step = 0;
    let savedAt: number | undefined;
    const stored = await loadFinalModel(db, runId);
    if (stored) {
      weights = stored.weights;
      step = stored.step;
      savedAt = stored.savedAt;
    } else {
      const bytes = await loadLastCheckpoint(db, runId);
      if (bytes) {
        const checkpoint = decodeCheckpoint(bytes, `the checkpoint of run ${run.name}`);
        weights = checkpoint.weights;
        step = checkpoint.globalStep;
        savedAt = run.lastCheckpoint?.savedAt;
      }
    }
    if (!weights || run.labels.length < 2)
      throw new Error(
        `${run.name} has no stored model: it stopped before its first checkpoint. Start it again with the same settings.`,
      );
    let loaded = this.host.currentModel();
    if (!loaded || loaded.facts.name !== run.modelName)
      loaded = await this.host.reloadModel(run.modelSource, run.modelName);
    // A LoRA run's weights are its adapters and saved modules: they go back onto the base model's weights.
    const classifier = rebuildRunClassifier(loaded, run, weights, stored?.results.lora);
    let validation: PreparedDataset['validation'] | undefined;
    let pairs = stored?.results.pairs ?? false;
    try {
      const prepared = await loadPreparedDataset(db, run.datasetId, run.datasetConfig);
      validation = prepared.validation;
      pairs = prepared.train.some((e) => e.text2 !== undefined);
    } catch {
      // The dataset was deleted: Evaluate then asks for a labelled file.
    }
    setResultsModel({
      classifier,
      tokenizer: loaded.tokenizer,
      labels: [...run.labels],
      maxLength: run.maxLength,
      base: loaded,
      ...(run.modelSource.kind === 'hub'
        ? { hubId: run.modelSource.id, revision: run.modelSource.revision }
        : {}),
      pairs,
      origin: 'trained',
      validation,
      owned: true,
      training: stored?.results.training,
      run: { id: run.id, name: run.name, step, savedAt },
    });
  }

  /**
   * Puts the weights an earlier run ended with into `model`, the new run's (built with the new run's mode): all
   * of them, a LoRA run's adapters, or those merged into the base weights when LoRA gives way to another mode
   * (continuationWeights). `check` refuses an earlier run that does not fit the new one's data.
   */
  private async continueFrom(
    db: WebTuneDatabase,
    from: NonNullable<RunRecord['continuedFrom']>,
    loaded: LoadedModel,
    model: TrainableModel,
    mode: TrainingArguments['mode'],
    check?: (earlier: RunRecord) => void,
  ): Promise<void> {
    const [earlier, final] = [await getRun(db, from.runId), await loadFinalModel(db, from.runId)];
    if (!earlier || !final) throw new Error(`Run ${from.runName} no longer has its final model.`);
    check?.(earlier);
    const weights = await continuationWeights(
      loaded,
      earlier,
      { weights: final.weights, lora: final.results.lora },
      mode,
    );
    restoreWeights(model, weights, storedVariables(model));
  }

  /**
   * Makes a finished causal-LM run's decoder the one Evaluate, the Playground and "Download model" use: the one
   * this session trained when it is that run's, else rebuilt from the base model and the run's final model.
   */
  private async openCausalLmRun(db: WebTuneDatabase, run: RunRecord): Promise<void> {
    if (this.trainedLm?.runId === run.id) return;
    const stored = await loadFinalModel(db, run.id);
    if (!stored?.results.causalLm)
      throw new Error(
        `${run.name} has no final model yet: resume it (or stop it) to evaluate, try or download its model.`,
      );
    let loaded = this.host.currentModel();
    if (!loaded || loaded.facts.name !== run.modelName)
      loaded = await this.host.reloadModel(run.modelSource, run.modelName);
    if (loaded.kind !== 'decoder') throw new Error(`${run.modelName} is not a decoder any more`);
    const reopened = reopenCausalLm(loaded, run, stored);
    this.trainedLm?.model.dispose();
    this.trainedLm = reopened;
  }

  private disposeTrained(): void {
    if (this.trained) clearResultsModel();
    this.trained?.model.dispose();
    this.trained = undefined;
    this.trainedLm?.model.dispose();
    this.trainedLm = undefined;
  }

  /** The decoder of the last causal-LM run (finished, paused, stopped), or undefined while none or one trains. */
  trainedCausalLm(): TrainedCausalLm | undefined {
    return this.active ? undefined : this.trainedLm;
  }
}

/**
 * The task a run on `loaded` trains for: the one asked, else what the model is (a decoder: causal-lm). An
 * encoder cannot be a causal LM.
 */
function runTask(loaded: LoadedModel, asked: TaskName | undefined): TaskName {
  if (loaded.kind === 'encoder' && asked === 'causal-lm')
    throw new Error(
      `${loaded.facts.name} is an encoder: it classifies text (sequence-classification) and cannot be trained as a causal LM.`,
    );
  return asked ?? (loaded.kind === 'decoder' ? 'causal-lm' : 'sequence-classification');
}
