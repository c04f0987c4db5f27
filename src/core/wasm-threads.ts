// The threaded SIMD build of tfjs-backend-wasm, started with real script locations so its pthreads can start
// from a bundled module worker and from Node.
//
// Why tfjs's own start fails: it hands Emscripten two blob: URLs, one for the pthread worker script and one
// for the main script each pthread loads, the latter built from `wasmFactoryThreadedSimd.toString()`. Once
// Vite bundles and minifies that factory, its source text refers to names of the bundle's scope (the worker
// dies with "e is not defined"); and Node's worker_threads take file paths only, not blob: URLs, so tfjs turns
// threads off in Node altogether (tfjs issue 3830). The fix is where the scripts come from, not tfjs: this
// module registers the `wasm` backend with a factory that gives Emscripten the untouched main script by URL
// or path (the browser build emits it as an asset, Node reads it from the package), the pthread worker script
// (a Blob of tfjs's own in the browser, a file in Node), and the thread count. tfjs's kernels are registered
// per backend name and stay as they are; BackendWasm is tfjs's own class.
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import threadedSimdFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import type { BackendWasmModule } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm';
import type { WasmFactoryConfig } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';
import { wasmWorkerContents } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';

export interface ThreadedWasmAssets {
  /** URL (browser) or absolute path (Node) of the package's unbundled `tfjs-backend-wasm-threaded-simd.js`. */
  mainScript: string;
  /** URL or path of `tfjs-backend-wasm-threaded-simd.wasm`. */
  wasmBinary: string;
  /** URL or path of the pthread worker script; default: a blob: URL of tfjs's own (browsers only). */
  workerScript?: string;
  /**
   * Runs `start` while Emscripten's logical-core count reads `cores`. tfjs's C++ caps its thread pool at half
   * that count (backend.cc assumes two hyper-threads per core), read once as the module starts: on a 2-core
   * machine it would run one thread whatever was asked. Default: navigator.hardwareConcurrency (what Emscripten
   * reads in a browser); Node's side reads os.cpus() (src/cli/node-wasm-threads.ts).
   */
  withLogicalCores?: <T>(cores: number, start: () => Promise<T>) => Promise<T>;
  /** Called with the pthread workers once the pool runs (Node unrefs them so they do not keep it alive). */
  onThreadsStarted?: (workers: unknown[]) => void;
}

async function withNavigatorCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as Navigator | undefined;
  if (!nav) return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: cores, configurable: true });
  try {
    return await start();
  } finally {
    // The own property shadowed the prototype's getter; removing it gives the real value back.
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** tfjs's worker script as runnable text (tfjs escapes its newlines the same way before making a Blob). */
export function pthreadWorkerSource(): string {
  return wasmWorkerContents.replace(/\n/g, '\\n');
}

/** Whether this environment can run wasm threads: SharedArrayBuffer (cross-origin isolation in a page). */
export function wasmThreadsAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false; // Node has no such flag and shares memory freely
}

const factory = threadedSimdFactory as unknown as (config: WasmFactoryConfig) => Promise<BackendWasmModule>;

async function instantiate(assets: ThreadedWasmAssets, threads: number): Promise<BackendWasmModule> {
  const workerScript =
    assets.workerScript ??
    URL.createObjectURL(new Blob([pthreadWorkerSource()], { type: 'application/javascript' }));
  const withCores = assets.withLogicalCores ?? withNavigatorCores;
  const start = () =>
    new Promise<BackendWasmModule>((resolve, reject) => {
      const config: WasmFactoryConfig = {
        mainScriptUrlOrBlob: assets.mainScript,
        locateFile: (path: string, prefix: string) => {
          if (path.endsWith('.worker.js')) return workerScript;
          if (path.endsWith('.wasm')) return assets.wasmBinary;
          return prefix + path;
        },
        onAbort: (message: string) => reject(new Error(`the threaded wasm module aborted: ${message}`)),
      };
      factory(config).then(resolve, reject);
    });
  const module = await withCores(2 * threads, start);
  // The bridge tfjs's own init() builds (backend_wasm.ts), under the same names BackendWasm calls.
  const m = module as BackendWasmModule & { cwrap: (...args: unknown[]) => unknown };
  (m as unknown as { tfjs: unknown }).tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Makes `tf.setBackend('wasm')` start the threaded SIMD build with `threads` threads (XNNPACK's pool). Call
 * before the wasm backend is first initialised.
 */
export function useThreadedWasm(assets: ThreadedWasmAssets, threads: number): void {
  // Once per program: removing a started backend would dispose its tensors.
  if (threadedInstalled || wasmStarted()) return;
  threadedInstalled = true;
  tfjsFactory ??= tf.findBackendFactory('wasm') ?? undefined;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await instantiate(assets, threads);
      setThreadsCount(threads);
      const backend = new BackendWasm(module); // starts XNNPACK's pool on the module's pthreads
      const pthreads = (
        module as unknown as { PThread?: { runningWorkers: unknown[]; unusedWorkers: unknown[] } }
      ).PThread;
      if (pthreads) assets.onThreadsStarted?.([...pthreads.runningWorkers, ...pthreads.unusedWorkers]);
      return backend;
    },
    WASM_PRIORITY,
  );
}

/** Puts tfjs's own wasm start back (the single-threaded SIMD build where threads are off), e.g. after a failure. */
export function useTfjsWasm(): void {
  if (!tfjsFactory || wasmStarted()) return;
  threadedInstalled = false;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', tfjsFactory, WASM_PRIORITY);
}

const WASM_PRIORITY = 2; // tfjs's own for wasm
let tfjsFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;
let threadedInstalled = false;

function wasmStarted(): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined;
}

/** The threads XNNPACK runs on in the wasm backend now (1 for the single-threaded builds). */
export function wasmThreadCount(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}
