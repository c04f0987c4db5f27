// The Train step: what will be trained (model, dataset, backend), the hyper-parameters, the run controls and
// their status, the latest evaluation, the live charts, and the stored runs.
import { useEffect, useState } from 'react';
import { describeBackend, type BackendInfo } from '../../core/backend-info';
import { isResumable } from '../../core/storage/runs';
import type { ModelFacts, ModelSourceSpec, TrainingBudget } from '../../worker/protocol';
import { askResults } from '../../worker/results-client';
import type { WorkerChannel } from '../app/useTrainingWorker';
import { defaultSettings, sizeClass, toLoraFields } from './defaults';
import { ModeBudget } from './ModeBudget';
import { HyperParameters, parseSettings, settingsText, type SettingsText } from './HyperParameters';
import { latestMetricsJson } from './metric-store';
import { RunList } from './RunList';
import { statusText, useTraining } from './useTraining';
import { WatchPanel } from './WatchPanel';
import './train.css';

interface Props {
  channel: WorkerChannel;
  datasetId?: string;
  facts?: ModelFacts;
  modelSource?: ModelSourceSpec;
  backend?: BackendInfo;
}

const PHASES = {
  'loading-model': 'Loading the model',
  'reading-data': 'Reading the dataset',
  tokenizing: 'Tokenising',
  building: 'Building the classifier',
  'warming-up': 'Warming up',
  training: 'Training',
} as const;

export function TrainStep({ channel, datasetId, facts, modelSource, backend }: Props) {
  const training = useTraining(channel, datasetId);
  const { current, activeRunId } = training;
  // The defaults follow the loaded model's size until the person edits a field.
  const [edited, setEdited] = useState<{ model: string; text: SettingsText }>();
  // The worker's budget of the loaded model: each mode's trainable count and memory, and the default mode.
  const [budget, setBudget] = useState<{
    model: string;
    query: string;
    budget?: TrainingBudget;
    error?: string;
  }>();
  const shown = budget && budget.model === facts?.name ? budget : undefined;
  const defaults = settingsText(defaultSettings(facts?.parameters ?? 0, shown?.budget));
  const text = edited && edited.model === facts?.name ? edited.text : defaults;
  const parsed = parseSettings(text);
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

  const status = statusText(current, activeRunId);
  const running = training.busy;
  // Fine-tuning a decoder (generative fine-tuning) is not in the app yet: it generates in the Playground.
  const decoder = facts?.kind === 'decoder';
  // LoRA fields the worker refused (a target that matches no layer) would only fail the run.
  const loraRefused = text.mode === 'lora' && shown?.query === query && shown?.error !== undefined;
  const canStart = Boolean(facts && !decoder && datasetId && parsed.settings && !running && !loraRefused);
  const canResume = current !== undefined && status === 'paused' && isResumable(current, activeRunId);

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
        <dt>Backend</dt>
        <dd data-testid="train-backend">{backend ? describeBackend(backend) : 'starting…'}</dd>
      </dl>

      <HyperParameters
        text={text}
        disabled={running}
        onChange={(next) => setEdited({ model: facts?.name ?? '', text: next })}
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

      <div className="run-controls" role="group" aria-label="Run controls">
        <button
          type="button"
          className="primary"
          disabled={!canStart}
          onClick={() => parsed.settings && training.start(parsed.settings, modelSource)}
        >
          Start training
        </button>
        <button type="button" disabled={status !== 'running'} onClick={training.pause}>
          Pause
        </button>
        <button
          type="button"
          disabled={!canResume || running}
          onClick={() => current && void training.resume(current)}
        >
          Resume
        </button>
        <button
          type="button"
          disabled={!(status === 'running' || status === 'paused')}
          onClick={() => void training.stop()}
        >
          Stop
        </button>
        <span className="run-status-line">
          Status:{' '}
          <strong data-testid="run-status" className={`status-${status}`}>
            {status}
          </strong>
          {status === 'running' && training.phase && training.phase.phase !== 'training' && (
            <span className="phase">
              {' '}
              · {PHASES[training.phase.phase]}
              {training.phase.detail ? ` (${training.phase.detail})` : ''}…
            </span>
          )}
          {current?.status === 'stopped' && (
            <span className="phase"> · stopped at step {current.globalStep}</span>
          )}
        </span>
      </div>
      {decoder ? (
        <p className="hint" data-testid="train-decoder-note">
          {facts?.name} generates text: try it in the Playground (Evaluate step). This step fine-tunes text
          classifiers (BERT, DistilBERT, RoBERTa) on a labelled dataset.
        </p>
      ) : !facts || !datasetId ? (
        <p className="hint">Start training needs a loaded model and a chosen dataset.</p>
      ) : null}

      {training.error && (
        <p role="alert" className="alert">
          {training.error}
        </p>
      )}
      {current?.status === 'failed' && current.error && (
        <p role="alert" className="alert">
          {current.name} failed: {current.error}
        </p>
      )}

      <p className="metrics-latest">
        Latest evaluation: <code data-testid="metrics-latest">{latestMetricsJson(training.latestEval)}</code>
      </p>

      {current && <WatchPanel store={training.store} run={current} clock={training.clock} />}

      <h3>Runs</h3>
      {training.runs === undefined ? (
        <p>Reading stored runs…</p>
      ) : (
        <RunList
          runs={training.runs}
          activeRunId={activeRunId}
          followedId={current?.id}
          busy={running}
          onShow={training.show}
          onResume={(run) => void training.resume(run)}
          onDelete={(run) => void training.remove(run)}
        />
      )}
    </section>
  );
}
