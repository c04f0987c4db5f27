import { useCallback, useEffect, useMemo, useState } from 'react';
import { readSession, saveSession, type SavedModelSource } from './ui/app/session-store';
import type { ModelSourceSpec } from './worker/protocol';
import { BackendStatus, whereItTrains } from './ui/app/BackendStatus';
import { DataPanel } from './ui/data/DataPanel';
import { Stepper, STEPS, type StepId } from './ui/app/Stepper';
import { useTrainingWorker } from './ui/app/useTrainingWorker';
import { readUrlOptions } from './ui/app/url-options';
import { ModelStep } from './ui/model/ModelStep';
import { EvaluatePanel } from './ui/evaluate/EvaluatePanel';
import { DecoderEvaluate } from './ui/evaluate/DecoderEvaluate';
import { refreshResultsInfo, useResultsModel } from './ui/evaluate/results-store';
import { PlaygroundPanel } from './ui/playground/PlaygroundPanel';
import { ExportPanel } from './ui/export/ExportPanel';
import { browserRunsSource } from './ui/run-history/stored-runs';
import { TrainStep } from './ui/train/TrainStep';

// One source for the page's lifetime: the stored runs in IndexedDB.
const runsSource = browserRunsSource();

/** What was saved of the session when the page opened (a reload restores it). */
const restored = readSession();

function restoredStep(): StepId {
  return STEPS.find((s) => s.id === restored.step)?.id ?? 'data';
}

/** A saved model source that can load again without the person (a dropped folder cannot). */
function loadableSource(saved: SavedModelSource | undefined, hub: string): ModelSourceSpec | undefined {
  if (saved?.kind === 'hub' && saved.id)
    return { kind: 'hub', id: saved.id, revision: saved.revision ?? 'main', endpoint: saved.endpoint ?? hub };
  if (saved?.kind === 'url' && saved.url) return { kind: 'url', url: saved.url };
  return undefined;
}

function savedSource(source: ModelSourceSpec): SavedModelSource | undefined {
  if (source.kind === 'hub')
    return { kind: 'hub', id: source.id, revision: source.revision, endpoint: source.endpoint };
  if (source.kind === 'url') return { kind: 'url', url: source.url };
  return undefined;
}

export function App() {
  const options = useMemo(() => readUrlOptions(window.location.search), []);
  const { backend, backendError, model, modelSource, loadModel, adapter, loadAdapter, channel } =
    useTrainingWorker(
      options.backend,
      // The model loaded before the reload loads again (from the browser's cache: no download).
      loadableSource(restored.model, options.hub),
    );
  const [step, setStepState] = useState<StepId>(restoredStep);
  const [datasetId, setDatasetId] = useState<string | undefined>(restored.datasetId);
  const [trainExamples, setTrainExamples] = useState<number | undefined>(restored.trainExamples);
  const setStep = useCallback((next: StepId) => {
    setStepState(next);
    saveSession({ step: next });
  }, []);
  const load = useCallback(
    (source: ModelSourceSpec) => {
      saveSession({ model: savedSource(source) });
      loadModel(source);
    },
    [loadModel],
  );
  const restoredModelId = restored.model?.kind === 'hub' ? restored.model.id : restored.model?.url;
  const current = STEPS.find((s) => s.id === step) ?? STEPS[0];
  // The tab's title names the step (the header and the step navigation say WebTune and the step once each).
  useEffect(() => {
    document.title = `${current.title} · WebTune`;
  }, [current.title]);
  // A decoder generates text (its Playground), unless the results model is a classifier made from it (a
  // sequence-classification run): then Evaluate is the classifier's, as for an encoder.
  const results = useResultsModel();
  useEffect(() => {
    if (step === 'evaluate') void refreshResultsInfo();
  }, [step]);
  const generates =
    model.facts?.kind === 'decoder' && !(results.info && results.info.name === model.facts.name);
  const summary =
    step === 'evaluate' && generates
      ? 'Try the model: it writes text on this machine, with the settings you choose.'
      : step === 'train'
        ? `${current.summary} ${whereItTrains(backend)}.`
        : current.summary;

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
        <p className="step-summary" data-testid="step-summary">
          {summary}
        </p>
        {/* Data, Model and Train stay mounted (hidden when another step is shown): an import, a typed model id,
            a run and its charts carry on while the person looks elsewhere. */}
        <div hidden={step !== 'data'}>
          <DataPanel
            onUseDataset={(id, examples) => {
              setDatasetId(id);
              setTrainExamples(examples);
              saveSession({ datasetId: id, trainExamples: examples });
              setStep('model');
            }}
            onDeleted={(id) => {
              if (id === datasetId) {
                setDatasetId(undefined);
                setTrainExamples(undefined);
                saveSession({ datasetId: undefined, trainExamples: undefined });
              }
            }}
          />
        </div>
        <div hidden={step !== 'model'}>
          <ModelStep
            hub={options.hub}
            state={model}
            onLoad={load}
            adapter={adapter}
            onLoadAdapter={loadAdapter}
            initialText={restoredModelId}
            onContinue={() => setStep('train')}
          />
        </div>
        {/* A decoder generates text: its Playground replaces the classifier's Evaluate and Playground. */}
        {step === 'evaluate' && generates && model.facts ? (
          <DecoderEvaluate key={model.facts.name} facts={model.facts} />
        ) : (
          step === 'evaluate' && (
            <>
              <EvaluatePanel />
              <PlaygroundPanel />
            </>
          )
        )}
        {step === 'export' && <ExportPanel />}
        <div hidden={step !== 'train'}>
          <TrainStep
            channel={channel}
            datasetId={datasetId}
            trainExamples={trainExamples}
            facts={model.facts}
            adapter={adapter.facts}
            modelSource={modelSource}
            backend={backend}
            initialRunId={restored.openRunId}
            runsSource={runsSource}
            onOpenRun={(id) => saveSession({ openRunId: id })}
          />
        </div>
      </main>
    </div>
  );
}
