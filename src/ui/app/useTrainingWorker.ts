import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackendInfo, BackendRequest } from '../../core/backend-info';
import { startTrainingWorker, type TrainingWorker } from '../../worker/client';
import type { ModelSourceSpec, WorkerEvent, WorkerRequest } from '../../worker/protocol';
import type { AdapterState, ModelState } from '../model/ModelStep';

export type WorkerListener = (event: WorkerEvent) => void;

/** What the steps get: requests to the worker and its events (each step keeps the state it needs). */
export interface WorkerChannel {
  send(request: WorkerRequest): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: WorkerListener): () => void;
}

/**
 * Starts the training worker for the page's lifetime and follows what it reports. `restoreModel` is the model of
 * the session before a reload: each worker started loads it (from the browser's cache).
 */
export function useTrainingWorker(prefer: BackendRequest, restoreModel?: ModelSourceSpec) {
  const restoring = useRef(restoreModel);
  const [backend, setBackend] = useState<BackendInfo>();
  const [backendError, setBackendError] = useState<string>();
  const [model, setModel] = useState<ModelState>({ loading: false, progress: {} });
  const [adapter, setAdapter] = useState<AdapterState>({ loading: false });
  /** How the loaded model was loaded, so a run can say how to load it again. */
  const [modelSource, setModelSource] = useState<ModelSourceSpec>();
  const worker = useRef<TrainingWorker>(undefined);
  const listeners = useRef(new Set<WorkerListener>());

  useEffect(() => {
    const started = startTrainingWorker((event) => {
      switch (event.type) {
        case 'backend':
          setBackend(event.info);
          break;
        case 'model-progress':
          setModel((m) => ({ ...m, progress: { ...m.progress, [event.progress.file]: event.progress } }));
          break;
        case 'model-loaded':
          setModel((m) => ({
            ...m,
            loading: false,
            facts: event.facts,
            error: undefined,
            errorCode: undefined,
          }));
          break;
        case 'adapter-loaded':
          setAdapter({ loading: false, facts: event.facts });
          break;
        case 'error':
          if (event.context === 'model')
            setModel((m) => ({ ...m, loading: false, error: event.message, errorCode: event.code }));
          // A refused adapter leaves the one loaded before (if any) in place, as the worker does.
          else if (event.context === 'adapter')
            setAdapter((a) => ({ ...a, loading: false, error: event.message }));
          else setBackendError(event.message);
          break;
      }
      for (const listener of listeners.current) listener(event);
    });
    started.send({ type: 'init-backend', prefer });
    worker.current = started;
    if (restoring.current) {
      setModel({ loading: true, progress: {} });
      setModelSource(restoring.current);
      started.send({ type: 'load-model', source: restoring.current });
    }
    return () => started.terminate();
  }, [prefer]);

  const loadModel = useCallback((source: ModelSourceSpec) => {
    setModel({ loading: true, progress: {} });
    setAdapter({ loading: false });
    setModelSource(source);
    worker.current?.send({ type: 'load-model', source });
  }, []);

  const loadAdapter = useCallback((source: ModelSourceSpec) => {
    setAdapter((a) => ({ ...a, loading: true, error: undefined }));
    worker.current?.send({ type: 'load-adapter', source });
  }, []);

  const [channel] = useState<WorkerChannel>(() => ({
    send: (request) => worker.current?.send(request),
    subscribe: (listener) => {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  }));

  return { backend, backendError, model, modelSource, loadModel, adapter, loadAdapter, channel };
}
