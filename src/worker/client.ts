// The page's handle on the training worker: starts it, sends typed requests, hands events to a listener.
import type { WorkerEvent, WorkerRequest } from './protocol';

export interface TrainingWorker {
  send(request: WorkerRequest): void;
  terminate(): void;
}

// The results panels (Evaluate, Playground, Export) talk to the same worker through results-client.ts.
let pageWorker: Worker | undefined;

/** The training worker this page started last, if any. */
export function currentTrainingWorker(): Worker | undefined {
  return pageWorker;
}

export function startTrainingWorker(onEvent: (event: WorkerEvent) => void): TrainingWorker {
  const worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
  pageWorker = worker;
  worker.onmessage = (message: MessageEvent<WorkerEvent>) => onEvent(message.data);
  worker.onerror = (err) =>
    onEvent({ type: 'error', context: 'backend', message: `The training worker failed: ${err.message}` });
  return {
    send: (request) => worker.postMessage(request),
    terminate: () => worker.terminate(),
  };
}
