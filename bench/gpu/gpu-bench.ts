// The real-GPU benchmark (bench/gpu/run.sh runs it): the WebGPU fp32 matMul peak, the training step of the
// benchmark's BERT shapes on tfjs's WebGPU backend through Dawn (the `webgpu` package, on the machine's Vulkan
// driver), and the same step of transformers' BertForSequenceClassification on PyTorch CUDA, same checkpoint,
// batch and length. Writes bench/results/gpu-<date>.json and prints a table.
//
//   npx tsx bench/gpu/gpu-bench.ts [--small] [--python python3] [--device cuda]
//
// --small: bert-tiny at batch 4 × 32 tokens only, so that the whole path can be proven on a CPU (SwiftShader)
// in a minute or two.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { installNodeWebGPU } from '../../src/cli/node-webgpu';
import { initBackend } from '../../src/core/backend';
import { MODELS, runCase, stepFlops, torchStep, type ModelShape } from '../train-step';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const small = argv.includes('--small');
const python = option('--python', 'python3');
const device = option('--device', 'cuda');

/** A random BERT checkpoint of this shape saved by transformers itself (no ../shared needed on a GPU box). */
function checkpoint(m: ModelShape): string {
  const dir = join(tmpdir(), 'webtune-gpu-bench', `${m.name}-L${m.layers}-H${m.hidden}`);
  if (!existsSync(join(dir, 'model.safetensors'))) {
    mkdirSync(dir, { recursive: true });
    const code = `
import sys, torch
from transformers import BertConfig, BertForMaskedLM
torch.manual_seed(0)
cfg = BertConfig(num_hidden_layers=${m.layers}, hidden_size=${m.hidden}, num_attention_heads=${m.heads},
                 intermediate_size=${m.inter}, vocab_size=30522, max_position_embeddings=512)
BertForMaskedLM(cfg).save_pretrained(sys.argv[1])
`;
    execFileSync(python, ['-c', code, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dir;
}

async function matmulPeak(size: number): Promise<number> {
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  await tf.matMul(a, b).data(); // compiles the shader
  const reps = 10;
  const t0 = performance.now();
  let c: tf.Tensor | undefined;
  for (let i = 0; i < reps; i++) {
    c?.dispose();
    c = tf.matMul(a, b);
  }
  await c!.data(); // the queue runs in order: the last read waits for all
  const seconds = (performance.now() - t0) / 1000 / reps;
  tf.dispose([a, b, c!]);
  return (2 * size ** 3) / seconds / 1e9;
}

interface Row {
  model: string;
  batch: number;
  seq: number;
  side: string;
  step_s: number | null;
  tokens_per_s: number | null;
  gflops: number | null;
  share_of_matmul_peak: string;
  peak_mb: number | null;
  note: string;
}

installNodeWebGPU();
const info = await initBackend({ prefer: 'webgpu' });
if (info.name !== 'webgpu') {
  console.error(`WebGPU did not start: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
  process.exit(1);
}
console.log(`WebGPU adapter: ${info.adapter}`);
const peakSizes = small ? [256] : [1024, 2048, 4096];
const peaks: Record<string, number> = {};
for (const n of peakSizes) peaks[`square ${n}`] = Number((await matmulPeak(n)).toPrecision(3));
const peak = Math.max(...Object.values(peaks));
console.log('WebGPU fp32 matMul GFLOP/s', peaks);

const shapes: { model: ModelShape; batch: number; seq: number }[] = small
  ? [{ model: MODELS[0]!, batch: 4, seq: 32 }]
  : [
      { model: MODELS[0]!, batch: 32, seq: 128 },
      { model: MODELS[1]!, batch: 32, seq: 128 },
      { model: MODELS[2]!, batch: 32, seq: 128 },
    ];
const rows: Row[] = [];
let torchAvailable = true;
for (const { model, batch, seq } of shapes) {
  const dir = checkpoint(model);
  const flops = stepFlops(model, batch, seq);
  const ours = await runCase({
    model,
    batch,
    seq,
    backend: 'webgpu',
    steps: small ? 1 : 5,
    checkpointDir: dir,
  });
  rows.push({
    model: model.name,
    batch,
    seq,
    side: 'WebTune webgpu (Dawn)',
    step_s: ours.step_s,
    tokens_per_s: ours.tokens_per_s,
    gflops: ours.gflops,
    share_of_matmul_peak: ours.gflops ? `${Math.round((100 * ours.gflops) / peak)}%` : '',
    peak_mb: ours.peak_mb,
    note: ours.note,
  });
  console.log(JSON.stringify(rows.at(-1)));
  let t: ReturnType<typeof torchStep> | undefined;
  let note = '';
  if (torchAvailable) {
    try {
      t = torchStep(model, batch, small ? 1 : 5, { python, device, seq, checkpointDir: dir });
    } catch (error) {
      torchAvailable = false;
      note = `PyTorch ${device} failed: ${String((error as Error).message).split('\n')[0]}`;
    }
  } else note = 'PyTorch skipped (failed before)';
  rows.push({
    model: model.name,
    batch,
    seq,
    side: `transformers (torch ${device})`,
    step_s: t ? Number(t.step_s.toFixed(4)) : null,
    tokens_per_s: t ? Math.round((batch * seq) / t.step_s) : null,
    gflops: t ? Number((flops / t.step_s / 1e9).toFixed(1)) : null,
    share_of_matmul_peak: '',
    peak_mb: t?.peak_bytes ? Math.round(t.peak_bytes / 2 ** 20) : null,
    note,
  });
  console.log(JSON.stringify(rows.at(-1)));
}
const generation = existsSync(join(import.meta.dirname, '..', '..', 'src', 'core', 'generate'))
  ? 'src/core/generate exists but this script has no generation benchmark yet'
  : 'skipped: src/core/generate does not exist on this branch';
console.log(`generation benchmark: ${generation}`);
console.table(rows);

const dir = join(import.meta.dirname, '..', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `gpu-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { date: new Date().toISOString(), adapter: info.adapter, small, matmul_gflops: peaks, rows, generation },
    null,
    2,
  ),
);
console.log(`Wrote ${file}`);
process.exit(0);
