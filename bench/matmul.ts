// The matMul throughput (GFLOP/s) each backend reaches at the sizes the three benchmarked BERTs use and at
// large squares: the ceiling against which a model's achieved FLOP rate is judged. On wasm it also measures
// the transposed forms a training step uses (x·Wᵀ, dYᵀ·x, batched attention products), with tfjs's own
// kernel and with ours (src/core/kernels/wasm-matmul.ts).
import * as tf from '@tensorflow/tfjs';
import { nodeWasmThreads } from '../src/cli/node-wasm-threads';
import { initBackend, type BackendName } from '../src/core/backend';
import { installNodeWebGPU } from '../src/cli/node-webgpu';
import { registerWasmMatMul, unregisterWasmMatMul } from '../src/core/kernels/wasm-matmul';

interface Shape {
  label: string;
  /** [batch, m, k, n] */
  dims: [number, number, number, number];
  transposeA?: boolean;
  transposeB?: boolean;
}

const tokens = 32 * 128;
const QUICK_SHAPES: Shape[] = [
  { label: 'bert-tiny FFN', dims: [1, tokens, 128, 512] },
  { label: 'MiniLM FFN', dims: [1, tokens, 384, 1536] },
  { label: 'MiniLM FFN x·Wᵀ', dims: [1, tokens, 384, 1536], transposeB: true },
  { label: 'MiniLM FFN dW = dYᵀ·x', dims: [1, 1536, tokens, 384], transposeA: true },
  { label: 'MiniLM attention q·kᵀ', dims: [32 * 12, 128, 32, 128], transposeB: true },
  { label: 'square 1024', dims: [1, 1024, 1024, 1024] },
];
const FULL_SHAPES: Shape[] = [
  ...QUICK_SHAPES,
  { label: 'DistilBERT FFN', dims: [1, tokens, 768, 3072] },
  { label: 'square 2048', dims: [1, 2048, 2048, 2048] },
  { label: 'square 4096', dims: [1, 4096, 4096, 4096] },
];

async function timeMatMul({ dims: [batch, m, k, n], transposeA, transposeB }: Shape): Promise<number> {
  const a = tf.randomNormal(transposeA ? [batch, k, m] : [batch, m, k]);
  const b = tf.randomNormal(transposeB ? [batch, n, k] : [batch, k, n]);
  const run = () => tf.matMul(a, b, transposeA, transposeB);
  const flops = 2 * batch * m * k * n;
  await run().data(); // warm-up (and shader compilation on webgpu)
  const reps = flops > 2e10 || tf.getBackend() !== 'wasm' ? 1 : flops > 2e9 ? 2 : 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = run();
    await c.data();
    c.dispose();
  }
  const seconds = (performance.now() - t0) / 1000 / reps;
  tf.dispose([a, b]);
  return flops / seconds / 1e9;
}

export interface MatMulRow {
  backend: string;
  shape: string;
  size: string;
  gflops: number;
}

export const matmulRows: MatMulRow[] = [];

/** The best matMul rate measured on a backend at the models' shapes (the ceiling for the share column). */
export function modelShapePeak(backend: string): number | undefined {
  const rates = matmulRows
    .filter((r) => r.backend === backend && /FFN|attention/.test(r.shape) && Number.isFinite(r.gflops))
    .map((r) => r.gflops);
  return rates.length > 0 ? Math.max(...rates) : undefined;
}

export const matmulSuite = {
  name: 'matmul',
  async run(): Promise<MatMulRow[]> {
    const quick = process.env.BENCH_QUICK === '1';
    installNodeWebGPU();
    const rows = matmulRows;
    for (const backend of ['wasm', 'webgpu', 'cpu'] as BackendName[]) {
      const info = await initBackend({ prefer: backend, wasmThreads: nodeWasmThreads(2) });
      if (info.name !== backend) {
        rows.push({ backend, shape: `unavailable: ${info.fallbacks[0]?.reason}`, size: '', gflops: NaN });
        continue;
      }
      const variants = backend === 'wasm' ? ['wasm', 'wasm (stock tfjs matMul)'] : [backend];
      for (const variant of variants) {
        if (backend === 'wasm') {
          if (variant === 'wasm') registerWasmMatMul();
          else unregisterWasmMatMul();
        }
        for (const shape of quick ? QUICK_SHAPES : FULL_SHAPES) {
          const [batch, m, k, n] = shape.dims;
          const flops = 2 * batch * m * k * n;
          // The cpu backend is plain JS loops and SwiftShader emulates a GPU on these 2 cores: their big
          // products would take minutes and say nothing new; tfjs's stock wasm kernel is as slow on the
          // transposed and batched forms.
          if (backend === 'cpu' && flops > 5e9) continue;
          if (/swiftshader/i.test(info.adapter ?? '') && flops > 1e9) continue; // ≈ 0.1 GFLOP/s
          if (variant !== backend && flops > 2e10) continue;
          rows.push({
            backend: variant,
            shape: shape.label,
            size: `${batch > 1 ? `${batch}×` : ''}${m}×${k}×${n}${shape.transposeA ? ' tA' : ''}${shape.transposeB ? ' tB' : ''}`,
            gflops: Number((await timeMatMul(shape)).toFixed(2)),
          });
          console.log(JSON.stringify(rows[rows.length - 1]));
        }
      }
      if (backend === 'wasm') registerWasmMatMul();
    }
    return rows;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await matmulSuite.run());
  process.exit(0);
}
