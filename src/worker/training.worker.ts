/// <reference lib="webworker" />
// The training worker: owns TensorFlow.js and every tensor; the page only sends requests and reads events.
import { initBackend } from '../core/backend';
import type { WorkerEvent, WorkerRequest } from './protocol';
import { wasmPaths } from './wasm-assets';

declare const self: DedicatedWorkerGlobalScope;

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

self.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  try {
    switch (request.type) {
      case 'init-backend':
        // The threaded wasm build starts its pthreads from a blob script that fails inside a bundled module
        // worker ("e is not defined"), so the browser uses the single-threaded SIMD build for now.
        post({
          type: 'backend',
          info: await initBackend({ prefer: request.prefer, wasmPaths, wasmThreads: false }),
        });
        break;
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
