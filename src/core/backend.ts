// Picks and initialises the TensorFlow.js backend: webgpu, then wasm, then cpu, or the one asked for.
// It reports which backend runs and, when it had to fall back, why, so the UI and the CLI can say so.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import {
  BACKENDS,
  isSoftwareAdapter,
  type BackendInfo,
  type BackendName,
  type BackendRequest,
} from './backend-info';
import {
  useThreadedWasm,
  useTfjsWasm,
  wasmThreadCount,
  wasmThreadsAvailable,
  type ThreadedWasmAssets,
} from './wasm-threads';

export * from './backend-info';

export interface BackendOptions {
  prefer?: BackendRequest;
  /**
   * Where the wasm backend's `.wasm` files are served (the browser build passes URLs that Vite emits from the
   * installed package). Node finds them beside the package and needs none.
   */
  wasmPaths?: Record<string, string>;
  /**
   * The threaded SIMD wasm build: where its scripts are and how many threads (wasm-threads.ts). Used where
   * SharedArrayBuffer exists; without it (or when it fails to start) wasm runs single-threaded and says why.
   */
  wasmThreads?: ThreadedWasmAssets & { count: number };
}

/** The order in which backends are tried for a request: the one asked for first, then the rest by speed. */
export function backendOrder(prefer: BackendRequest): BackendName[] {
  if (prefer === 'auto') return [...BACKENDS];
  return [prefer, ...BACKENDS.filter((b) => b !== prefer)];
}

class BackendUnavailable extends Error {}

/** `auto` found only a software WebGPU adapter (its name kept, for the page to offer it anyway). */
class SoftwareAdapter extends BackendUnavailable {
  constructor(
    message: string,
    readonly adapter: string,
  ) {
    super(message);
  }
}

/** The adapter's description, and whether it is software; `auto` passes a software one over (`skipSoftware`). */
async function tryWebGPU(skipSoftware: boolean): Promise<{ adapter: string; software: boolean }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new BackendUnavailable('WebGPU unavailable because this environment has no navigator.gpu');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    throw new BackendUnavailable(`WebGPU unavailable because the adapter request failed: ${messageOf(err)}`);
  }
  if (!adapter) throw new BackendUnavailable('WebGPU unavailable because no GPU adapter was found');
  const described = describeAdapter(adapter.info);
  const software = isSoftwareAdapter(described);
  if (software && skipSoftware)
    throw new SoftwareAdapter(
      `WebGPU passed over because its only adapter is software (${described}), much slower than wasm on the same CPU`,
      described,
    );
  // The webgpu backend registers itself only when navigator.gpu exists at import time, hence the late import.
  await import('@tensorflow/tfjs-backend-webgpu');
  await setBackend('webgpu', 'WebGPU unavailable because the tfjs webgpu backend failed to initialise');
  tuneMatMulFor(adapter.info);
  return { adapter: described, software };
}

/** tfjs-backend-webgpu's MatMulPackedProgram, its WEBGPU_MATMUL_PROGRAM_TYPE value (-1: chosen per shape). */
const MATMUL_PACKED_PROGRAM = 3;

/**
 * On SwiftShader (WebGPU on the CPU: this machine's tests, browsers without a GPU driver) every matMul runs
 * tfjs's packed program. tfjs picks its reduce, split-K or small-output programs for products with few output
 * tiles, which are what decoding one token makes ([1, hidden] · Wᵀ); their workgroup barriers cost SwiftShader
 * 10-100 times what the packed program's one-row path does (bench/generate.ts: a k_proj [1, 256] · [128, 256]ᵀ
 * 200-350 ms against 0.3 ms). A real GPU keeps tfjs's own choice.
 */
function tuneMatMulFor(info: GPUAdapterInfo | undefined): void {
  const swiftShader = info?.architecture === 'swiftshader' || /swiftshader/i.test(info?.description ?? '');
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', swiftShader ? MATMUL_PACKED_PROGRAM : -1);
}

/** Starts wasm, threaded when asked and possible; returns why it runs on one thread, if it was asked for more. */
async function tryWasm({ wasmPaths, wasmThreads }: BackendOptions): Promise<string | undefined> {
  const failure = 'wasm unavailable because its .wasm files were not found or failed to compile';
  if (wasmPaths && !wasmPathsSet) {
    setWasmPaths(wasmPaths);
    wasmPathsSet = true;
  }
  // tfjs's own threaded start cannot work here (wasm-threads.ts): without our assets it runs single-threaded.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!wasmThreads || wasmThreads.count <= 1) {
    await setBackend('wasm', failure);
    return wasmThreads ? undefined : 'no threaded build was configured';
  }
  if (!wasmThreadsAvailable()) {
    await setBackend('wasm', failure);
    return 'threads need SharedArrayBuffer (a cross-origin isolated page)';
  }
  useThreadedWasm(wasmThreads, wasmThreads.count);
  try {
    await setBackend('wasm', 'the threaded wasm build failed to start');
    return undefined;
  } catch (err) {
    useTfjsWasm();
    await setBackend('wasm', failure);
    return messageOf(err);
  }
}

let wasmPathsSet = false;

async function setBackend(name: BackendName, failure: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (err) {
    throw new BackendUnavailable(`${failure}: ${messageOf(err)}`);
  }
  if (!ok || tf.getBackend() !== name) throw new BackendUnavailable(failure);
}

function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.description].filter((p) => p && p.length > 0);
  return parts.length > 0 ? parts.join(' ') : 'unnamed adapter';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Initialises the first backend that works, in the order of `backendOrder(prefer)`. With `auto`, a software WebGPU
 * adapter counts as unavailable (wasm is much faster on the same CPU); asking for webgpu still gets it.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const requested = options.prefer ?? 'auto';
  const fallbacks: BackendInfo['fallbacks'] = [];
  let softwareAdapter: string | undefined;
  for (const name of backendOrder(requested)) {
    try {
      if (name === 'webgpu') {
        const { adapter, software } = await tryWebGPU(requested === 'auto');
        return { name, requested, adapter, fallbacks, ...(software ? { softwareAdapter: adapter } : {}) };
      }
      if (name === 'wasm') {
        const singleThreadReason = await tryWasm(options);
        const threads = wasmThreadCount();
        return {
          name,
          requested,
          fallbacks,
          threads,
          ...(singleThreadReason && threads <= 1 ? { singleThreadReason } : {}),
          ...(softwareAdapter ? { softwareAdapter } : {}),
        };
      }
      await setBackend('cpu', 'the cpu backend failed to initialise');
      return { name, requested, fallbacks, ...(softwareAdapter ? { softwareAdapter } : {}) };
    } catch (err) {
      if (!(err instanceof BackendUnavailable)) throw err;
      if (err instanceof SoftwareAdapter) softwareAdapter = err.adapter;
      fallbacks.push({ backend: name, reason: err.message });
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${fallbacks.map((f) => f.reason).join('; ')}`);
}
