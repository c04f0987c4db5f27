// The threaded SIMD wasm build in Node (core/wasm-threads.ts, cli/node-wasm-threads.ts): it starts with the
// threads asked for, says so in the backend line, really runs pthread workers, and computes what cpu computes.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { nodeWasmThreads } from '../../src/cli/node-wasm-threads';
import { describeBackend, initBackend } from '../../src/core/backend';
import { registerModelKernels } from '../../src/core/kernels';
import { pthreadWorkerSource } from '../../src/core/wasm-threads';

describe('threaded wasm in Node', () => {
  it('runs 2 threads, says so, and matches the cpu backend', async () => {
    const info = await initBackend({ prefer: 'wasm', wasmThreads: nodeWasmThreads(2) });
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(2);
    expect(describeBackend(info)).toBe('wasm, 2 threads (as requested)');
    // XNNPACK's pool runs on Emscripten pthreads, each a worker_threads Worker of this process.
    const wasm = (tf.backend() as unknown as { wasm: { PThread: { runningWorkers: unknown[] } } }).wasm;
    expect(wasm.PThread.runningWorkers.length).toBeGreaterThanOrEqual(1);

    registerModelKernels(); // our BatchMatMul, which hands every product to XNNPACK
    const a = tf.randomNormal([3, 96, 128], 0, 1, 'float32', 1);
    const b = tf.randomNormal([3, 64, 128], 0, 1, 'float32', 2);
    const onWasm = (await tf.matMul(a, b, false, true).array()) as number[][][];
    const [ha, hb] = [await a.array(), await b.array()];
    tf.dispose([a, b]);
    await tf.setBackend('cpu');
    const onCpu = (await tf
      .tidy(() => tf.matMul(tf.tensor(ha), tf.tensor(hb), false, true))
      .array()) as number[][][];
    let worst = 0;
    onWasm.forEach((m, i) =>
      m.forEach((row, r) =>
        row.forEach((x, c) => (worst = Math.max(worst, Math.abs(x - onCpu[i]![r]![c]!)))),
      ),
    );
    expect(worst).toBeLessThan(1e-4);
  });

  it('writes a worker script that Node can parse', () => {
    // The text tfjs ships is a template literal's value: its escaped newlines must be escaped again.
    expect(() => new Function(pthreadWorkerSource())).not.toThrow();
  });
});
