// The page's handle on the import worker: each call gets a request id; events come back to one listener.
import type { ImportEvent, ImportRequest } from './import-protocol';

type Outgoing = ImportRequest extends infer R
  ? R extends { requestId: number }
    ? Omit<R, 'requestId'>
    : never
  : never;

export interface ImportWorker {
  /** Sends a request and returns its id (to match events, or to cancel an import). */
  send(request: Outgoing): number;
  terminate(): void;
}

export function startImportWorker(onEvent: (event: ImportEvent) => void): ImportWorker {
  const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module' });
  let nextId = 1;
  worker.onmessage = (message: MessageEvent<ImportEvent>) => onEvent(message.data);
  worker.onerror = (err) =>
    onEvent({
      type: 'failed',
      requestId: 0,
      error: { code: 'storage', message: `The import worker failed: ${err.message}` },
    });
  return {
    send: (request) => {
      const requestId = nextId++;
      worker.postMessage({ ...request, requestId } as ImportRequest);
      return requestId;
    },
    terminate: () => worker.terminate(),
  };
}
