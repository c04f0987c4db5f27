import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  backendOrder,
  describeBackend,
  initBackend,
  isSoftwareAdapter,
  runsOnGpu,
  type BackendInfo,
} from '../../src/core/backend';

describe('backend choice', () => {
  it('tries the requested backend first, then the rest by speed', () => {
    expect(backendOrder('auto')).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(backendOrder('wasm')).toEqual(['wasm', 'webgpu', 'cpu']);
    expect(backendOrder('cpu')).toEqual(['cpu', 'webgpu', 'wasm']);
  });

  it('falls back from webgpu to wasm in plain Node and says why', async () => {
    // This process has no navigator.gpu (the webgpu project installs Dawn; this one does not).
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.singleThreadReason).toBe('no threaded build was configured');
    expect(info.fallbacks).toEqual([
      { backend: 'webgpu', reason: 'WebGPU unavailable because this environment has no navigator.gpu' },
    ]);
    // No threaded build was handed over: tfjs's single-threaded SIMD build runs.
    expect(info.threads).toBe(1);
    expect(describeBackend(info)).toBe(
      'wasm, 1 thread: WebGPU unavailable because this environment has no navigator.gpu',
    );
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await sum.data())).toEqual([4, 6]);
  });

  it('runs the cpu backend when asked', async () => {
    const info = await initBackend({ prefer: 'cpu' });
    expect(info).toEqual({ name: 'cpu', requested: 'cpu', fallbacks: [] });
    expect(describeBackend(info)).toBe('cpu (as requested)');
  });

  it('tells software WebGPU adapters from GPUs, and says "GPU" only for a hardware webgpu backend', () => {
    // What Chromium's SwiftShader, Mesa's llvmpipe and Windows' fallback report, against real GPUs.
    expect(isSoftwareAdapter('google swiftshader SwiftShader Device (Subzero)')).toBe(true);
    expect(isSoftwareAdapter('mesa llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareAdapter('microsoft Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareAdapter('nvidia ampere NVIDIA GeForce RTX 3060')).toBe(false);
    expect(isSoftwareAdapter('apple metal-3 Apple M2')).toBe(false);
    const webgpu: BackendInfo = {
      name: 'webgpu',
      requested: 'auto',
      fallbacks: [],
      adapter: 'nvidia ampere',
    };
    expect(runsOnGpu(webgpu)).toBe(true);
    expect(runsOnGpu({ ...webgpu, requested: 'webgpu', softwareAdapter: 'google swiftshader' })).toBe(false);
    expect(
      runsOnGpu({ name: 'wasm', requested: 'auto', fallbacks: [], softwareAdapter: 'google swiftshader' }),
    ).toBe(false);
  });
});
