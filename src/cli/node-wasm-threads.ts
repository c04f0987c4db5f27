// The threaded SIMD wasm build in Node: file paths for everything Emscripten loads, since Node's worker_threads
// cannot start a worker from a blob: URL (core/wasm-threads.ts). tfjs's pthread worker script ships as the text
// of a CommonJS export, so it is written once to a file named by its content's hash.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

import { pthreadWorkerSource, type ThreadedWasmAssets } from '../core/wasm-threads';

/** The assets and a thread count (default: the logical CPUs; WEBTUNE_WASM_THREADS overrides) for initBackend. */
export function nodeWasmThreads(count?: number): ThreadedWasmAssets & { count: number } {
  const require = createRequire(import.meta.url);
  const source = pthreadWorkerSource();
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'webtune-wasm');
  const workerScript = join(dir, `tfjs-backend-wasm-threaded-simd-${hash}.worker.js`);
  if (!existsSync(workerScript)) {
    mkdirSync(dir, { recursive: true });
    // Written beside and renamed: a second process never reads a half-written script.
    const partial = `${workerScript}.${process.pid}.partial`;
    writeFileSync(partial, source);
    renameSync(partial, workerScript);
  }
  // Emscripten's logical-core count in Node is require('os').cpus().length (core/wasm-threads.ts says why it
  // must read twice the threads while the module starts); the same os module object, patched and restored.
  const os = require('node:os') as { cpus: () => unknown[] };
  const withLogicalCores = async <T>(cores: number, start: () => Promise<T>): Promise<T> => {
    const cpus = os.cpus;
    os.cpus = () => Array.from({ length: cores }, () => cpus()[0]);
    try {
      return await start();
    } finally {
      os.cpus = cpus;
    }
  };
  const fromEnv = Number(process.env.WEBTUNE_WASM_THREADS);
  return {
    mainScript: require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'),
    wasmBinary: require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'),
    workerScript,
    withLogicalCores,
    // A running pthread holds a reference on its worker_threads Worker: without this the CLI would never exit.
    onThreadsStarted: (workers) => {
      for (const w of workers) (w as { unref?: () => void }).unref?.();
    },
    count: count ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism()),
  };
}
