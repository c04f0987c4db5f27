import { useEffect, useState } from 'react';
import type { BackendInfo, BackendRequest } from '../../core/backend-info';
import { startTrainingWorker } from '../../worker/client';

// Starts the training worker for the page's lifetime and follows what it reports.
export function useTrainingWorker(prefer: BackendRequest) {
  const [backend, setBackend] = useState<BackendInfo>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const worker = startTrainingWorker((event) => {
      if (event.type === 'backend') setBackend(event.info);
      else setError(event.message);
    });
    worker.send({ type: 'init-backend', prefer });
    return () => worker.terminate();
  }, [prefer]);
  return { backend, error };
}
