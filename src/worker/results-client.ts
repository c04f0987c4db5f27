// The page side of the results requests: posts a request to the training worker and resolves with the reply
// of the same id. Listens on the worker directly, beside the training hook's own listener.
import { currentTrainingWorker } from './client';
import type { ResultsEvent, ResultsReply, ResultsRequest, WorkerEvent } from './protocol';

/** A request without its id (askResults numbers it). */
export type ResultsRequestBody = ResultsRequest extends infer R
  ? R extends ResultsRequest
    ? Omit<R, 'id'>
    : never
  : never;
type ReplyOf<K extends ResultsReply['kind']> = Extract<ResultsReply, { kind: K }>;

let nextId = 1;

export function askResults<K extends ResultsReply['kind']>(
  request: ResultsRequestBody,
  kind: K,
): Promise<ReplyOf<K>> {
  const worker = currentTrainingWorker();
  if (!worker) return Promise.reject(new Error('The training worker has not started yet'));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const listener = (message: MessageEvent<WorkerEvent>) => {
      const event = message.data;
      if (!isResultsEvent(event) || event.id !== id) return;
      worker.removeEventListener('message', listener);
      if (event.type === 'results-error') reject(new Error(event.message));
      else if (event.reply.kind !== kind)
        reject(new Error(`The worker answered ${event.reply.kind} where ${kind} was expected`));
      else resolve(event.reply as ReplyOf<K>);
    };
    worker.addEventListener('message', listener);
    worker.postMessage({ ...request, id } as ResultsRequest);
  });
}

function isResultsEvent(event: WorkerEvent): event is ResultsEvent {
  return event.type === 'results-reply' || event.type === 'results-error';
}
