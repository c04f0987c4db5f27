// The matMul throughput (GFLOP/s) each backend reaches at the sizes a small BERT uses and at large squares:
// the ceiling against which a model's achieved FLOP rate is judged.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/core/backend';
import { installNodeWebGPU } from '../src/cli/node-webgpu';

const SHAPES: [number, number, number][] = [
  [32 * 128, 128, 512], // bert-tiny FFN: (batch·tokens) × hidden × intermediate
  [32 * 128, 384, 1536], // MiniLM-L6 FFN
  [1024, 1024, 1024],
  [2048, 2048, 2048],
];

async function timeMatMul(m: number, k: number, n: number): Promise<number> {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  await tf.matMul(a, b).data(); // warm-up (and shader compilation on webgpu)
  const reps = m * k * n > 2e9 ? 2 : 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const seconds = (performance.now() - t0) / 1000 / reps;
  tf.dispose([a, b]);
  return (2 * m * k * n) / seconds / 1e9;
}

export const matmulSuite = {
  name: 'matmul',
  async run() {
    installNodeWebGPU();
    const rows: { backend: string; shape: string; gflops: number }[] = [];
    for (const backend of ['cpu', 'wasm', 'webgpu'] as BackendName[]) {
      const info = await initBackend({ prefer: backend });
      if (info.name !== backend) {
        rows.push({ backend, shape: `unavailable: ${info.fallbacks[0]?.reason}`, gflops: NaN });
        continue;
      }
      for (const [m, k, n] of SHAPES) {
        // The cpu backend is plain JS loops: the big squares would take minutes and say nothing new.
        if (backend === 'cpu' && m * k * n > 2e9) continue;
        rows.push({
          backend,
          shape: `${m}x${k}x${n}`,
          gflops: Number((await timeMatMul(m, k, n)).toFixed(2)),
        });
      }
    }
    return rows;
  },
};
