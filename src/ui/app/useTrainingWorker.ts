import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackendInfo, BackendRequest } from '../../core/backend-info';
import { startTrainingWorker, type TrainingWorker } from '../../worker/client';
import type { ModelSourceSpec } from '../../worker/protocol';
import type { ModelState } from '../model/ModelStep';

// Starts the training worker for the page's lifetime and follows what it reports.
export function useTrainingWorker(prefer: BackendRequest) {
  const [backend, setBackend] = useState<BackendInfo>();
  const [backendError, setBackendError] = useState<string>();
  const [model, setModel] = useState<ModelState>({ loading: false, progress: {} });
  const worker = useRef<TrainingWorker>(undefined);

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
          setModel((m) => ({ ...m, loading: false, facts: event.facts, error: undefined }));
          break;
        case 'error':
          if (event.context === 'model') setModel((m) => ({ ...m, loading: false, error: event.message }));
          else setBackendError(event.message);
          break;
      }
    });
    started.send({ type: 'init-backend', prefer });
    worker.current = started;
    return () => started.terminate();
  }, [prefer]);

  const loadModel = useCallback((source: ModelSourceSpec) => {
    setModel({ loading: true, progress: {} });
    worker.current?.send({ type: 'load-model', source });
  }, []);

  return { backend, backendError, model, loadModel };
}
