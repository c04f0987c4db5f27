// The Train step: what will be trained (model, dataset, backend), the hyper-parameters, the run controls and
// their status, the latest evaluation, the live charts, and the stored runs.
import { useState } from 'react';
import { describeBackend, type BackendInfo } from '../../core/backend-info';
import { isResumable } from '../../core/storage/runs';
import type { ModelFacts, ModelSourceSpec } from '../../worker/protocol';
import type { WorkerChannel } from '../app/useTrainingWorker';
import { defaultSettings, sizeClass } from './defaults';
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
  const defaults = settingsText(defaultSettings(facts?.parameters ?? 0));
  const text = edited && edited.model === facts?.name ? edited.text : defaults;
  const parsed = parseSettings(text);

  const status = statusText(current, activeRunId);
  const running = training.busy;
  const canStart = Boolean(facts && datasetId && parsed.settings && !running);
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
          {status === 'running' &&
            training.phase &&
            (training.phase.phase !== 'training' || training.phase.detail) && (
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
      {!facts || !datasetId ? (
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
