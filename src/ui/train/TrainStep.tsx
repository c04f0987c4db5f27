// The Train step: what will be trained (model, dataset, backend), the hyper-parameters, the run controls and
// their status, the latest evaluation, the live charts, and the stored runs.
import { useEffect, useState } from 'react';
import { describeBackend, type BackendInfo } from '../../core/backend-info';
import type { RunRecord } from '../../core/storage/run-types';
import type { TaskName } from '../../core/models/registry';
import { isResumable, isTrainingElsewhere, runState, runStoredBytes } from '../../core/storage/runs';
import { megabytes, storageShortMessage } from '../../core/storage/space';
import { formatTime } from '../app/dates';
import { readSession, saveSession } from '../app/session-store';
import type { AdapterFacts, ModelFacts, ModelSourceSpec, TrainingBudget } from '../../worker/protocol';
import { askResults } from '../../worker/results-client';
import type { WorkerChannel } from '../app/useTrainingWorker';
import {
  defaultSettings,
  followModeDefaults,
  settingsFromRun,
  sizeClass,
  toCausalLmOptions,
  toLoraFields,
  type TrainSettings,
} from './defaults';
import { ModeBudget } from './ModeBudget';
import { HyperParameters, parseSettings, settingsText, type SettingsText } from './HyperParameters';
import { LatestEvaluation } from './LatestEvaluation';
import { canStartAgain, deleteRunQuestion, RunList } from './RunList';
import { statusText, useTraining } from './useTraining';
import { formatDuration, WatchPanel } from './WatchPanel';
import { useStepTiming, type StepTimingState } from './useStepTiming';
import { CausalLmRunFacts } from './CausalLmRunFacts';
import { decoderTaskProblem } from './task-data';
import { causalLmDefaultSettings, causalLmOptionsProblem, generativeKindOf } from './causal-lm-settings';
import { chatMlModeProblem } from '../../core/data/causal-lm-options';
import { countTrainingSteps } from '../../core/train/steps';
import { formatBytes } from '../../core/export/listing';
import type { TrainingMode } from '../../core/train/arguments';
import { runSecondsEstimate } from '../../core/train/time-estimate';
import { RunsPanel } from '../run-history/RunsPanel';
import type { RunsSource } from '../run-history/types';
import './train.css';

interface Props {
  channel: WorkerChannel;
  datasetId?: string;
  /** The chosen dataset's training rows (Data step), to count the steps before Start. */
  trainExamples?: number;
  facts?: ModelFacts;
  /** The PEFT adapter loaded onto the model (Model step): a LoRA run continues it. */
  adapter?: AdapterFacts;
  modelSource?: ModelSourceSpec;
  backend?: BackendInfo;
  /** Called with the run the step shows (opened from the list, started or resumed), to restore it after a reload. */
  onOpenRun?: (runId: string | undefined) => void;
  /** The run that was open before a reload: it opens again once the runs are read. */
  initialRunId?: string;
  /** The stored runs for the comparison under the run list. */
  runsSource?: RunsSource;
}

const PHASES = {
  'loading-model': 'Loading the model',
  'reading-data': 'Reading the dataset',
  tokenizing: 'Tokenising',
  building: 'Building the classifier',
  'warming-up': 'Warming up',
  training: 'Training',
} as const;

/** The run Start training asks about: the open one when it is paused or interrupted, else the newest such. */
function pausedRun(
  runs: RunRecord[] | undefined,
  current: RunRecord | undefined,
  resumable: (r: RunRecord) => boolean,
) {
  if (current && resumable(current)) return current;
  return runs?.find(resumable);
}

export function TrainStep({
  channel,
  datasetId,
  trainExamples,
  facts,
  adapter,
  modelSource,
  backend,
  onOpenRun,
  initialRunId,
  runsSource,
}: Props) {
  const training = useTraining(channel, datasetId, onOpenRun, initialRunId);
  const { current, activity } = training;
  // The defaults follow the loaded model's size until the person edits a field; edits survive a reload.
  const [edited, setEdited] = useState<{ model: string; text: SettingsText } | undefined>(() => {
    const saved = readSession().settings;
    return saved && { model: saved.model, text: saved.text as SettingsText };
  });
  // The worker's budget of the loaded model: each mode's trainable count and memory, and the default mode.
  const [budget, setBudget] = useState<{
    model: string;
    query: string;
    budget?: TrainingBudget;
    error?: string;
  }>();
  const shown = budget && budget.model === facts?.name ? budget : undefined;
  // A decoder trains as a causal LM (task causal-lm, the default), on generative data, from causal-LM defaults,
  // or as a sequence classifier (*ForSequenceClassification) on labelled data; an encoder only classifies.
  const decoder = facts?.kind === 'decoder';
  const [chosenTask, setChosenTask] = useState<{ model: string; task: TaskName }>();
  // Until the person picks one, the open run's task (after a reload too), else causal-lm.
  const task: TaskName = decoder
    ? chosenTask?.model === facts.name
      ? chosenTask.task
      : current?.modelName === facts.name && current.task
        ? current.task
        : 'causal-lm'
    : 'sequence-classification';
  const causalLm = task === 'causal-lm';
  const generativeKind = generativeKindOf(training.dataset);
  const sizeDefaults = defaultSettings(facts?.parameters ?? 0, shown?.budget);
  const baseSettings =
    decoder && causalLm
      ? causalLmDefaultSettings(sizeDefaults, generativeKind, facts.maxLength)
      : sizeDefaults;
  const defaults = settingsText(baseSettings);
  // Edits are kept per model and, for a decoder, per task and kind of data (packing's default differs by kind).
  const formKeyOf = (t: TaskName) =>
    `${facts?.name ?? ''}${decoder ? (t === 'causal-lm' ? `|${generativeKind ?? ''}` : '|sequence-classification') : ''}`;
  const formKey = formKeyOf(task);
  const text = edited && edited.model === formKey ? { ...defaults, ...edited.text } : defaults;
  const parsed = parseSettings(text, task);
  // A decoder's task must suit the chosen dataset (and a decoder classifier does not take LoRA yet).
  const taskMismatch =
    decoder && datasetId ? decoderTaskProblem(task, text.mode, training.dataset) : undefined;
  const causalLmError =
    decoder && causalLm && generativeKind && parsed.settings
      ? (causalLmOptionsProblem(generativeKind, facts.maxLength, parsed.settings) ??
        chatMlModeProblem(generativeKind === 'chat' && !facts.chatTemplate, parsed.settings.mode, facts.name))
      : undefined;
  const [asking, setAsking] = useState<RunRecord>();
  const encoder = facts?.kind === 'encoder' ? facts.name : undefined;
  // The label count is known once the run reads its dataset; the count before it assumes a two-label head.
  const query = parsed.settings ? JSON.stringify(toLoraFields(parsed.settings)) : undefined;
  useEffect(() => {
    if (!encoder || query === undefined) return;
    let current = true;
    askResults({ type: 'results-budget', numLabels: 2, lora: JSON.parse(query) as object }, 'budget').then(
      (reply) => current && setBudget({ model: encoder, query, budget: reply.budget }),
      (err: unknown) =>
        current &&
        setBudget((b) => ({
          model: encoder,
          query,
          // Keep the last good figures for the modes; say what is wrong with the LoRA fields.
          budget: b?.model === encoder ? b.budget : undefined,
          error: err instanceof Error ? err.message : String(err),
        })),
    );
    return () => {
      current = false;
    };
  }, [encoder, query]);

  // The form takes a stored run's settings (its record's args), so Start reproduces that run; the note says
  // whose settings they are until the person edits a field.
  const [settingsOf, setSettingsOf] = useState<string>();
  const loadRunSettings = (run: RunRecord) => {
    // A decoder's form takes the run's task too (its runs always record it).
    const runTask = run.task ?? 'sequence-classification';
    if (decoder && run.modelName === facts.name) setChosenTask({ model: facts.name, task: runTask });
    const next = {
      model: facts ? formKeyOf(decoder ? runTask : task) : run.modelName,
      text: settingsText(settingsFromRun(run.args, run.maxLength, baseSettings, run.lora)),
    };
    setEdited(next);
    setSettingsOf(run.name);
    saveSession({ settings: next });
  };

  const status = statusText(current, activity);
  const running = training.busy;
  // Stop was pressed on the run training here: it ends after the step in progress (and its checkpoint), which
  // can take a while on a large model, so the page says so at once and offers nothing more to press.
  const [stoppingId, setStoppingId] = useState<string>();
  const stopping = stoppingId !== undefined && stoppingId === current?.id && status === 'running';
  // LoRA fields the worker refused (a target that matches no layer) would only fail the run.
  const loraRefused = text.mode === 'lora' && shown?.query === query && shown?.error !== undefined;
  const canStart = Boolean(
    facts &&
    datasetId &&
    parsed.settings &&
    !running &&
    !loraRefused &&
    taskMismatch === undefined &&
    (!causalLm || (generativeKind !== undefined && causalLmError === undefined)),
  );
  // Before Start, the run plan: its steps, memory and (measured by the worker) its estimated time. A decoder's
  // examples (packed blocks or rows) are known once the worker has tokenised its data for the measurement.
  const planned =
    canStart &&
    parsed.settings !== undefined &&
    (causalLm || (trainExamples !== undefined && trainExamples > 0));
  const timing = useStepTiming(
    planned,
    facts?.name,
    datasetId,
    parsed.settings,
    causalLm,
    decoder ? task : undefined,
  );
  const planExamples = causalLm
    ? timing?.state === 'measured'
      ? timing.timing.trainExamples
      : undefined
    : trainExamples;
  const canResume = current !== undefined && isResumable(current, activity) && !running;
  const ownRun = current !== undefined && current.id === activity.activeRunId;
  const canStop =
    (status === 'running' && ownRun && !stopping) ||
    status === 'paused' ||
    (status === 'interrupted' && current?.lastCheckpoint !== undefined);
  const startNew = () => {
    setAsking(undefined);
    if (parsed.settings)
      training.start(
        parsed.settings,
        modelSource,
        causalLm ? toCausalLmOptions(parsed.settings) : undefined,
        decoder ? task : undefined,
      );
  };
  const onStart = () => {
    const paused = pausedRun(training.runs, current, (r) => isResumable(r, activity));
    if (paused) setAsking(paused);
    else startNew();
  };
  const storageWarning = lowStorageWarning(training.runs ?? [], training.quota, current);

  return (
    <section className="train-step">
      <dl className="train-setup">
        <dt>Model</dt>
        <dd>
          {facts ? (
            <>
              {facts.name} ({(facts.parameters / 1e6).toFixed(1)} M parameters, {sizeClass(facts.parameters)})
            </>
          ) : (
            'none loaded: pick one in the Model step'
          )}
        </dd>
        <dt>Dataset</dt>
        <dd>{datasetId ? (training.dataset?.name ?? '…') : 'none chosen: pick one in the Data step'}</dd>
        <dt>Task</dt>
        <dd data-testid="train-task" data-task={facts ? task : ''}>
          {facts && decoder ? (
            <>
              <select
                aria-label="Task"
                data-testid="train-task-select"
                value={task}
                disabled={running}
                onChange={(e) => setChosenTask({ model: facts.name, task: e.target.value as TaskName })}
              >
                <option value="causal-lm">causal-lm</option>
                <option value="sequence-classification">sequence-classification</option>
              </select>{' '}
              {causalLm
                ? 'the decoder learns to continue your texts: needs a dataset chosen as "A text generator" (plain text, instruction or chat data)'
                : 'the decoder learns to label your texts (a score on its last token, as transformers\' *ForSequenceClassification): needs a dataset chosen as "A classifier" (text and label columns)'}
            </>
          ) : facts ? (
            'sequence-classification: the encoder learns to label your texts'
          ) : (
            'set by the model: an encoder classifies, a decoder generates (causal-lm) or classifies'
          )}
        </dd>
        <dt>Backend</dt>
        <dd data-testid="train-backend">{backend ? describeBackend(backend) : 'starting…'}</dd>
      </dl>

      {settingsOf !== undefined && edited?.model === formKey && (
        <p className="hint" data-testid="settings-of-run">
          Settings of run {settingsOf}: Start training reproduces it.
        </p>
      )}
      <HyperParameters
        text={text}
        task={task}
        dataKind={causalLm ? generativeKind : undefined}
        causalLmError={causalLmError}
        disabled={running}
        defaults={defaults}
        onReset={() => {
          // Back to following the model's defaults (its size, its budget), as before any edit.
          setEdited(undefined);
          setSettingsOf(undefined);
          saveSession({ settings: undefined });
        }}
        loraNote={
          adapter?.taskType === 'SEQ_CLS' ? (
            <p className="hint" data-testid="lora-adapter-note">
              continues adapter {adapter.name} (r {adapter.r}, alpha {adapter.loraAlpha}): its LoRA config and
              values, not new adapters
            </p>
          ) : undefined
        }
        onChange={(next) => {
          // LoRA needs a larger learning rate than full fine-tuning: an unedited rate follows the mode.
          const changed = {
            model: formKey,
            text: followModeDefaults(text, next, facts?.parameters ?? 0),
          };
          setEdited(changed);
          setSettingsOf(undefined);
          saveSession({ settings: changed });
        }}
        budget={
          encoder ? (
            <ModeBudget
              mode={text.mode}
              budget={shown?.budget}
              error={shown?.query === query ? shown?.error : undefined}
            />
          ) : undefined
        }
      />

      {planned && parsed.settings && (
        <RunPlan
          examples={planExamples}
          unit={causalLm ? 'examples (blocks or rows)' : 'examples'}
          args={parsed.settings}
          memoryBytes={encoder ? shown?.budget?.modes[text.mode as TrainingMode]?.memoryBytes : undefined}
          timing={timing}
        />
      )}

      <div className="run-controls" role="group" aria-label="Run controls">
        <button type="button" className="primary" disabled={!canStart} onClick={onStart}>
          Start training
        </button>
        <button
          type="button"
          disabled={!(status === 'running' && ownRun) || stopping}
          onClick={training.pause}
        >
          Pause
        </button>
        <button type="button" disabled={!canResume} onClick={() => current && void training.resume(current)}>
          Resume
        </button>
        <button
          type="button"
          disabled={!canStop}
          onClick={() => {
            if (status === 'running') setStoppingId(current?.id);
            void training.stop();
          }}
        >
          Stop
        </button>
        {current && current.id !== activity.activeRunId && (
          <button type="button" disabled={running} onClick={() => loadRunSettings(current)}>
            Use this run&apos;s settings
          </button>
        )}
        {current?.finalModel && (status === 'finished' || status === 'stopped') && (
          <button
            type="button"
            disabled={running || !parsed.settings || facts?.name !== current.modelName}
            title={
              facts?.name !== current.modelName
                ? `Load ${current.modelName} in the Model step to continue this run`
                : current.args.mode === 'lora'
                  ? 'A new run from these weights: with mode lora it trains this adapter further (its LoRA fields), in another mode it starts from the merged weights'
                  : 'A new run that starts from these weights, with the settings in the form'
            }
            onClick={() =>
              parsed.settings &&
              training.continueFrom(
                current,
                parsed.settings,
                modelSource,
                causalLm ? toCausalLmOptions(parsed.settings) : undefined,
                decoder ? task : undefined,
              )
            }
          >
            Continue training
          </button>
        )}
        {current && canStartAgain(current, activity) && (
          <button type="button" disabled={running} onClick={() => training.startAgain(current)}>
            Start again with the same settings
          </button>
        )}
        <span className="run-status-line">
          Status:{' '}
          <strong data-testid="run-status" className={`status-${status}`}>
            {status}
          </strong>
          {stopping && (
            <span className="phase" data-testid="run-stopping">
              {' '}
              · stopping… (after the step in progress)
            </span>
          )}
          {status === 'running' &&
            !stopping &&
            training.phase &&
            (training.phase.phase !== 'training' || training.phase.detail) && (
              <span className="phase">
                {' '}
                ·{' '}
                {current?.task === 'causal-lm' && training.phase.phase === 'building'
                  ? 'Building the causal LM'
                  : PHASES[training.phase.phase]}
                {training.phase.detail ? ` (${training.phase.detail})` : ''}…
              </span>
            )}
          {current && (
            <StateDetail run={current} state={status} elsewhere={isTrainingElsewhere(current, activity)} />
          )}
        </span>
      </div>
      {asking && (
        <div role="dialog" aria-label="A run is paused" className="paused-prompt">
          <p>
            {asking.name} is {runState(asking, activity)} at step{' '}
            {asking.lastCheckpoint?.step ?? asking.globalStep} of {asking.totalSteps}. Resume it, or start a
            new run with these settings?
          </p>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setAsking(undefined);
              void training.resume(asking);
            }}
          >
            Resume it
          </button>{' '}
          <button type="button" onClick={startNew}>
            Start a new run
          </button>{' '}
          <button type="button" onClick={() => setAsking(undefined)}>
            Cancel
          </button>
        </div>
      )}
      {current && (
        <p
          className="checkpoint-status"
          data-testid="checkpoint-status"
          data-checkpoint-state={training.checkpoint?.state ?? (current.lastCheckpoint ? 'saved' : 'none')}
        >
          {training.checkpoint?.state === 'writing'
            ? `Saving the checkpoint of step ${training.checkpoint.step}… (training goes on)`
            : current.lastCheckpoint || training.checkpoint
              ? `Last checkpoint: step ${training.checkpoint?.step ?? current.lastCheckpoint?.step}, saved at ${formatTime(training.checkpoint?.at ?? current.lastCheckpoint?.savedAt ?? 0)}.`
              : 'No checkpoint yet.'}
          {current.args.save_seconds > 0
            ? ` Checkpoints every ${current.args.save_seconds} s of training at most.`
            : ''}
        </p>
      )}
      {taskMismatch && decoder && !causalLm ? (
        <p className="hint" data-testid="train-task-mismatch">
          {taskMismatch}
        </p>
      ) : decoder && causalLm && !generativeKind ? (
        <p className="hint" data-testid="train-decoder-note">
          {facts?.name} generates text: try it in the Playground (Evaluate step), or fine-tune it here as a
          causal LM on generative data (plain text, instruction or chat): choose such a dataset in the Data
          step as &ldquo;A text generator&rdquo;.
        </p>
      ) : decoder && causalLm && generativeKind === 'chat' && !facts.chatTemplate ? (
        <p className="hint" data-testid="chatml-note">
          {facts.name} has no chat template, so the run adds ChatML as TRL&rsquo;s clone_chat_template does:
          &lt;|im_start|&gt; and &lt;|im_end|&gt; become special tokens, &lt;|im_end|&gt; the eos, and the
          embeddings grow to a multiple of 64 rows (the new ones at the mean of the old). The download keeps
          them.
        </p>
      ) : !facts || !datasetId ? (
        <p className="hint">Start training needs a loaded model and a chosen dataset.</p>
      ) : null}

      {training.error && (
        <p role="alert" className="alert">
          {training.error}
        </p>
      )}
      {current?.error && (
        <p role="alert" className="alert">
          {current.name} {current.status === 'failed' ? 'failed' : 'is paused'}: {current.error}
        </p>
      )}
      {storageWarning && (
        <p role="alert" className="alert" data-testid="storage-warning">
          {storageWarning}
        </p>
      )}

      <LatestEvaluation record={training.latestEval} />
      {current?.task === 'causal-lm' && <CausalLmRunFacts run={current} />}

      {current && <WatchPanel store={training.store} run={current} clock={training.clock} />}

      <h3>Runs</h3>
      {training.runs === undefined ? (
        <p>Reading stored runs…</p>
      ) : (
        <>
          <p className="runs-storage" data-testid="runs-storage">
            Runs take {megabytes(training.runs.reduce((n, r) => n + runStoredBytes(r), 0))} in this browser;
            its storage: {training.quota.usage !== undefined ? megabytes(training.quota.usage) : 'unknown'}{' '}
            used of {training.quota.quota !== undefined ? megabytes(training.quota.quota) : 'unknown'}.
          </p>
          <RunList
            runs={training.runs}
            activity={activity}
            followedId={current?.id}
            busy={running}
            onShow={(run) => {
              training.show(run);
              // Selecting a run shows its settings in the form, unless a run is training from the form now.
              if (!running) loadRunSettings(run);
            }}
            onResume={(run) => void training.resume(run)}
            onStartAgain={training.startAgain}
            onDelete={(run) => void training.remove(run)}
          />
          {training.runs.length > 0 && (
            <RunsPanel
              source={runsSource}
              refresh={training.runs.map((r) => `${r.id}:${r.status}:${r.name}`).join()}
              // Only where the list's state differs from the stored one ('running' whose tab went away).
              states={Object.fromEntries(
                training.runs
                  .filter((r) => runState(r, activity) !== r.status)
                  .map((r) => [r.id, runState(r, activity)]),
              )}
              owner={{
                remove: (id) => {
                  const run = training.runs?.find((r) => r.id === id);
                  if (run && window.confirm(deleteRunQuestion(run))) void training.remove(run);
                },
                canRemove: (id) => {
                  const run = training.runs?.find((r) => r.id === id);
                  return run !== undefined && runState(run, activity) !== 'running';
                },
                renamed: () => void training.refresh(),
              }}
            />
          )}
        </>
      )}
    </section>
  );
}

/**
 * Before Start: how many optimizer steps the settings make of the dataset, the memory they hold, and the time
 * they should take at the pace the worker measured for these settings.
 */
function RunPlan({
  examples,
  unit,
  args,
  memoryBytes,
  timing,
}: {
  /** Training examples; unknown for a decoder until the measurement has made them. */
  examples: number | undefined;
  unit: string;
  args: TrainSettings;
  memoryBytes?: number;
  timing?: StepTimingState;
}) {
  if (examples === undefined)
    return (
      <p className="run-plan" data-testid="run-plan">
        {timing?.state === 'failed' ? (
          <span className="run-estimate" data-testid="run-estimate-failed">
            No run plan: {timing.error}
          </span>
        ) : (
          <span className="run-estimate" data-testid="run-estimate-measuring">
            Counting the steps and estimating the time (tokenising the data, timing a training pass)…
          </span>
        )}
      </p>
    );
  const { totalSteps, updatesPerEpoch } = countTrainingSteps(examples, args);
  const epochs = args.num_train_epochs;
  return (
    <p className="run-plan" data-testid="run-plan" data-steps={totalSteps}>
      <strong>
        {totalSteps.toLocaleString()} step{totalSteps === 1 ? '' : 's'}
      </strong>{' '}
      ({examples.toLocaleString()} training {unit}, {updatesPerEpoch.toLocaleString()} updates of{' '}
      {args.per_device_train_batch_size * args.gradient_accumulation_steps} per epoch, {epochs} epoch
      {epochs === 1 ? '' : 's'})
      {memoryBytes !== undefined && <>; memory needed about {formatBytes(memoryBytes)} plus activations</>}
      {timing && <RunEstimate timing={timing} examples={examples} settings={args} />}.
    </p>
  );
}

/** "estimated time about 2 min 10 s (measured: 0.41 s a step on wasm …)", or why there is none yet. */
function RunEstimate({
  timing,
  examples,
  settings,
}: {
  timing: StepTimingState;
  examples: number;
  settings: TrainSettings;
}) {
  if (timing.state === 'measuring')
    return (
      <span className="run-estimate" data-testid="run-estimate-measuring">
        ; estimating the time (timing a training pass)
      </span>
    );
  if (timing.state === 'failed')
    return (
      <span className="run-estimate" data-testid="run-estimate-failed">
        ; no time estimate: {timing.error}
      </span>
    );
  const seconds = runSecondsEstimate(timing.timing, examples, settings);
  const perStep = timing.timing.secondsPerMicroBatch * settings.gradient_accumulation_steps;
  return (
    <span className="run-estimate" data-testid="run-estimate" data-seconds={seconds}>
      ; estimated time about {formatDuration(seconds)} (measured: {perStep.toPrecision(2)} s a step on{' '}
      {timing.timing.backend})
    </span>
  );
}

/** What the status line adds for the open run's state. */
function StateDetail({ run, state, elsewhere }: { run: RunRecord; state: string; elsewhere: boolean }) {
  if (elsewhere) return <span className="phase"> · training in another tab of WebTune (open it there)</span>;
  if (state === 'stopped') return <span className="phase"> · stopped at step {run.globalStep}</span>;
  if (state === 'interrupted')
    return (
      <span className="phase">
        {' '}
        · the tab went away during training;{' '}
        {run.lastCheckpoint
          ? `Resume continues from the checkpoint of step ${run.lastCheckpoint.step}`
          : 'it had saved no checkpoint yet, so there is nothing to resume'}
      </span>
    );
  if (state === 'paused') return <span className="phase"> · paused at step {run.globalStep}</span>;
  return null;
}

/**
 * Warns before space runs out: when less is free than the open run's (or the largest run's) checkpoint and
 * model would take again, naming the runs to delete. The app never deletes a run by itself.
 */
function lowStorageWarning(
  runs: RunRecord[],
  quota: { usage?: number; quota?: number },
  current: RunRecord | undefined,
): string | undefined {
  if (quota.usage === undefined || quota.quota === undefined) return undefined;
  const free = Math.max(0, quota.quota - quota.usage);
  const sizeOf = (r: RunRecord) => (r.sizes?.last ?? 0) + (r.sizes?.final ?? 0);
  const needed = current ? sizeOf(current) : Math.max(0, ...runs.map(sizeOf));
  if (needed === 0 || free >= needed) return undefined;
  return storageShortMessage('the next checkpoint', runs, needed, free, new Set(current ? [current.id] : []));
}
