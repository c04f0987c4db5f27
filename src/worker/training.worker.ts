/// <reference lib="webworker" />
// The training worker: owns TensorFlow.js and every tensor; the page only sends requests and reads events.
import { initBackend, type BackendInfo } from '../core/backend';
import { ModelLoadError } from '../core/hub/errors';
import type { ProgressCallback } from '../core/hub/source';
import { loadModel, type LoadedModel } from './model-session';
import type { ModelSourceSpec, WorkerEvent, WorkerRequest } from './protocol';
import { loadAdapterOnto } from './adapter-session';
import { GenerationSession } from './generation-session';
import { handleResultsRequest } from './results-handler';
import { clearResultsModel, resultsModel } from './results-state';
import { TrainingSession } from './training-session';
import { causalLmExportZip, causalLmResultsInfo } from './causal-lm-results';
import { causalLmProjectZip } from './results-project';
import { threadedWasmAssets, wasmPaths } from './wasm-assets';

declare const self: DedicatedWorkerGlobalScope;

let model: LoadedModel | undefined;
let backend: BackendInfo | undefined;
/** Settles once the backend asked for is up (or failed): a run must not build tensors on a default backend. */
let backendReady: Promise<unknown> = Promise.resolve();

/** Training runs; `session.trainedModel()` is the classifier of the last run (for evaluation and export). */
const session = new TrainingSession({
  post,
  currentModel: () => model,
  backend: () => backend,
  async reloadModel(source, name) {
    if (source.kind === 'files')
      throw new Error(
        `To resume this run, load its model (${name}) again in the Model step: it came from a dropped folder.`,
      );
    return loadShared(source);
  },
});

/** The Playground's decoder, when the loaded model is one. */
const generation = new GenerationSession(post);

/** The load in progress, so a restored session and an opened run that want the same model load it once. */
let loading: { key: string; promise: Promise<LoadedModel> } | undefined;

function sourceKey(source: ModelSourceSpec): string | undefined {
  if (source.kind === 'hub') return `hub ${source.endpoint} ${source.id}@${source.revision}`;
  if (source.kind === 'url') return `url ${source.url}`;
  return undefined;
}

function loadShared(source: ModelSourceSpec): Promise<LoadedModel> {
  const key = sourceKey(source);
  if (key !== undefined && loading?.key === key) return loading.promise;
  const promise = loadModel(source, throttledProgress()).then((loaded) => {
    model = loaded;
    post({ type: 'model-loaded', facts: loaded.facts });
    return loaded;
  });
  if (key !== undefined) {
    loading = { key, promise };
    const forget = () => {
      if (loading?.promise === promise) loading = undefined;
    };
    promise.then(forget, forget);
  }
  return promise;
}

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Posts a file's progress at most every 100 ms, and always its first and last chunk. */
function throttledProgress(): ProgressCallback {
  const lastPosted = new Map<string, number>();
  return (progress) => {
    const now = Date.now();
    const done = progress.total !== undefined && progress.loaded >= progress.total;
    if (!done && now - (lastPosted.get(progress.file) ?? -Infinity) < 100) return;
    lastPosted.set(progress.file, now);
    post({ type: 'model-progress', progress });
  };
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init-backend':
      // The threaded SIMD build, one thread per logical core (core/wasm-threads.ts starts it from real URLs).
      backendReady = initBackend({
        prefer: request.prefer,
        wasmPaths,
        wasmThreads: { ...threadedWasmAssets(), count: navigator.hardwareConcurrency || 1 },
      });
      backend = (await backendReady) as BackendInfo;
      post({ type: 'backend', info: backend });
      return;
    case 'load-model':
      try {
        generation.release();
        await loadShared(request.source);
      } catch (err) {
        post({
          type: 'error',
          context: 'model',
          message: messageOf(err),
          ...(err instanceof ModelLoadError ? { code: err.code } : {}),
        });
      }
      return;
    case 'load-adapter':
      try {
        if (!model) throw new Error('Load the base model first: the adapter goes onto it');
        const facts = await loadAdapterOnto(model, request.source);
        // The Playground's decoder is rebuilt with the adapter when next used; a results model that is the
        // loaded checkpoint as it was is forgotten, so that "Use the loaded model as it is" takes the adapter.
        generation.release();
        const results = resultsModel();
        if (results?.origin === 'as-loaded' && results.base === model) clearResultsModel();
        post({ type: 'adapter-loaded', facts });
      } catch (err) {
        post({ type: 'error', context: 'adapter', message: messageOf(err) });
      }
      return;
    case 'results-info':
    case 'results-open-run':
    case 'results-use-loaded':
    case 'results-predict':
    case 'results-predict-file':
    case 'results-evaluate':
    case 'results-export':
    case 'results-project':
    case 'results-budget':
      await handleResultsRequest(
        request,
        model,
        (e, transfer) => self.postMessage(e, { transfer }),
        (runId) => session.openRun(runId),
      );
      return;
    case 'causal-lm-info':
      post({
        type: 'results-reply',
        id: request.id,
        reply: { kind: 'causal-lm', info: causalLmResultsInfo(session.trainedCausalLm()) },
      });
      return;
    case 'causal-lm-export':
    case 'causal-lm-project':
      try {
        const trained = session.trainedCausalLm();
        const { fileName, files, zip } =
          request.type === 'causal-lm-export'
            ? await causalLmExportZip(trained, request.loraExport)
            : await causalLmProjectZip(trained, request.includeData);
        self.postMessage(
          { type: 'results-reply', id: request.id, reply: { kind: 'zip', fileName, files, zip } },
          { transfer: [zip.buffer] },
        );
      } catch (err) {
        post({ type: 'results-error', id: request.id, message: messageOf(err) });
      }
      return;
    // The estimate waits for the backend as a run does, and does not hold up the queue (nor a start after it).
    case 'measure-step-time':
      void backendReady
        .catch(() => undefined)
        .then(() => session.measureStepTime(request))
        .then(
          (timing) => post({ type: 'results-reply', id: request.id, reply: { kind: 'step-time', timing } }),
          (err: unknown) => post({ type: 'results-error', id: request.id, message: messageOf(err) }),
        );
      return;
    // A completion does not hold up the queue either: its stop request must get through between tokens.
    case 'generate':
      void backendReady
        .catch(() => undefined)
        .then(() => generation.generate(request, model, session.trainedCausalLm()));
      return;
    case 'generate-stop':
      generation.stop(request.id);
      return;
    // Training requests do not wait for the run: pause and stop must get through while it trains.
    case 'start-training':
      void backendReady.catch(() => undefined).then(() => session.start(request));
      return;
    case 'resume-training':
      void backendReady.catch(() => undefined).then(() => session.resume(request.runId, request.control));
      return;
    case 'pause-training':
      session.pause();
      return;
    case 'stop-training':
      session.stop();
      return;
  }
}

self.onmessage = (message: MessageEvent<WorkerRequest>) => {
  handle(message.data).catch((err: unknown) =>
    post({ type: 'error', context: 'backend', message: messageOf(err) }),
  );
};
