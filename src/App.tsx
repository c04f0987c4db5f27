import { useMemo, useState } from 'react';
import { BackendStatus } from './ui/app/BackendStatus';
import { DataPanel } from './ui/data/DataPanel';
import { Stepper, STEPS, type StepId } from './ui/app/Stepper';
import { useTrainingWorker } from './ui/app/useTrainingWorker';
import { readUrlOptions } from './ui/app/url-options';
import { ModelStep } from './ui/model/ModelStep';
import { EvaluatePanel } from './ui/evaluate/EvaluatePanel';
import { GenerationPlayground } from './ui/playground/GenerationPlayground';
import { PlaygroundPanel } from './ui/playground/PlaygroundPanel';
import { ExportPanel } from './ui/export/ExportPanel';
import { RunsPanel } from './ui/run-history/RunsPanel';
import { browserRunsSource } from './ui/run-history/stored-runs';
import { TrainStep } from './ui/train/TrainStep';

// One source for the page's lifetime: the stored runs in IndexedDB.
const runsSource = browserRunsSource();

export function App() {
  const options = useMemo(() => readUrlOptions(window.location.search), []);
  const { backend, backendError, model, modelSource, loadModel, channel } = useTrainingWorker(
    options.backend,
  );
  const [step, setStep] = useState<StepId>('data');
  const [datasetId, setDatasetId] = useState<string>();
  const current = STEPS.find((s) => s.id === step) ?? STEPS[0];

  return (
    <div className="app">
      <header className="app-header">
        <h1>WebTune</h1>
        <p className="tagline">
          Fine-tune a language model in your browser. Your data never leaves this machine.
        </p>
        <BackendStatus backend={backend} error={backendError} />
      </header>
      <Stepper current={step} onSelect={setStep} />
      <main className="step-panel">
        <h2 id="step-title">{current.title}</h2>
        <p>
          {step === 'evaluate' && model.facts?.kind === 'decoder'
            ? 'Try the model: it writes text on this machine, with the settings you choose.'
            : current.summary}
        </p>
        {/* Data, Model and Train stay mounted (hidden when another step is shown): an import, a typed model id,
            a run and its charts carry on while the person looks elsewhere. */}
        <div hidden={step !== 'data'}>
          <DataPanel
            onUseDataset={(id) => {
              setDatasetId(id);
              setStep('model');
            }}
          />
        </div>
        <div hidden={step !== 'model'}>
          <ModelStep hub={options.hub} state={model} onLoad={loadModel} />
        </div>
        {/* A decoder generates text: its Playground replaces the classifier's Evaluate and Playground. */}
        {step === 'evaluate' && model.facts?.kind === 'decoder' ? (
          <GenerationPlayground key={model.facts.name} facts={model.facts} />
        ) : (
          step === 'evaluate' && (
            <>
              <EvaluatePanel />
              <PlaygroundPanel />
            </>
          )
        )}
        {step === 'export' && <ExportPanel />}
        {step === 'export' && <RunsPanel source={runsSource} />}
        <div hidden={step !== 'train'}>
          <TrainStep
            channel={channel}
            datasetId={datasetId}
            facts={model.facts}
            modelSource={modelSource}
            backend={backend}
          />
        </div>
      </main>
    </div>
  );
}
