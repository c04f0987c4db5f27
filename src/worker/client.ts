// The page's handle on the training worker: starts it, sends typed requests, hands events to a listener.
import type { WorkerEvent, WorkerRequest } from './protocol';

export interface TrainingWorker {
  send(request: WorkerRequest): void;
  terminate(): void;
}

export function startTrainingWorker(onEvent: (event: WorkerEvent) => void): TrainingWorker {
  const worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (message: MessageEvent<WorkerEvent>) => onEvent(message.data);
  worker.onerror = (err) =>
    onEvent({ type: 'error', context: 'backend', message: `The training worker failed: ${err.message}` });
  return {
    send: (request) => worker.postMessage(request),
    terminate: () => worker.terminate(),
  };
}
