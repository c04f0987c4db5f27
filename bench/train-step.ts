// One fine-tuning step (forward, backward, clip, AdamW) of three BERT shapes on each tfjs backend, against the
// same step of Hugging Face transformers' BertForSequenceClassification on torch 2.13 from pip (bench/torch_step.py,
// PYTHON_STACK), measured in the same run on the same cores with the same thread count. Random weights come from
// `refbert.py init`, so both sides train the very same checkpoint.
// `npx tsx bench/train-step.ts` prints the table; `trainStepSuite` plugs into bench/run.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { nodeWasmThreads } from '../src/cli/node-wasm-threads';
import { installNodeWebGPU } from '../src/cli/node-webgpu';
import { initBackend, type BackendName } from '../src/core/backend';
import { readSafetensors } from '../src/core/hub/safetensors';
import { registerWasmMatMul, unregisterWasmMatMul } from '../src/core/kernels';
import { buildClassifier } from '../src/core/models/build';
import type { HFConfig, SequenceClassifier } from '../src/core/models/types';
import { AdamW } from '../src/core/train/adamw';
import { clipByGlobalNorm } from '../src/core/train/clip';
import { crossEntropy } from '../src/core/train/loss';
import { PYTHON, PYTHON_STACK } from '../test/support/python';
import { sharedPath } from '../test/support/shared';

// Looked up when a checkpoint is made, not at import: bench/gpu runs without ../shared.
const refbert = () => sharedPath('tools', 'refbert.py');
const SEQ = 128;
const THREADS = 2;

export interface ModelShape {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  inter: number;
}

export const MODELS: ModelShape[] = [
  { name: 'bert-tiny', layers: 2, hidden: 128, heads: 2, inter: 512 },
  { name: 'MiniLM-L6', layers: 6, hidden: 384, heads: 12, inter: 1536 },
  // DistilBERT's dimensions in BERT's layout, so that refbert (a BERT) is the peer for all three.
  { name: 'DistilBERT-dims', layers: 6, hidden: 768, heads: 12, inter: 3072 },
];

/** Matrix-multiply FLOPs of one training step: the forward pass's matMuls, three times (forward + 2 backward). */
export function stepFlops(m: ModelShape, batch: number, seq = SEQ): number {
  const n = batch * seq;
  const dense = 2 * n * m.hidden * (4 * m.hidden + 2 * m.inter);
  const attention = 2 * 2 * batch * seq * seq * m.hidden;
  return 3 * m.layers * (dense + attention);
}

/** A random BERT checkpoint of this shape, made once per machine by refbert.py (cached under the tmp dir). */
export function randomCheckpoint(m: ModelShape): string {
  const dir = join(tmpdir(), 'webtune-bench-models', `${m.name}-L${m.layers}-H${m.hidden}`);
  if (!existsSync(join(dir, 'model.safetensors'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(PYTHON, [
      refbert(),
      'init',
      '--out',
      dir,
      '--layers',
      String(m.layers),
      '--hidden',
      String(m.hidden),
      '--heads',
      String(m.heads),
      '--inter',
      String(m.inter),
    ]);
  }
  return dir;
}

/** Micro-batch sizes on wasm that keep a step inside its 4 GiB heap (measured: MiniLM at 32 aborts). */
const WASM_MICRO_BATCH: Record<string, number> = { 'MiniLM-L6': 8, 'DistilBERT-dims': 4 };

export interface Case {
  model: ModelShape;
  batch: number;
  /** Tokens per row (default 128). */
  seq?: number;
  /** A checkpoint folder to train (default: randomCheckpoint's, made by refbert). */
  checkpointDir?: string;
  backend: BackendName;
  /**
   * The befores of the afters, in the same run: 'stock', tfjs's own wasm BatchMatMul instead of ours;
   * '1 thread', the single-threaded SIMD build the CLI and the app ran before threads.
   */
  variant?: 'stock' | '1 thread';
  /** Timed steps after the first; 0 = the combination is skipped (with `skip` saying why). */
  steps: number;
  skip?: string;
}

export interface StepRow {
  model: string;
  batch: number;
  backend: string;
  step_s: number | null;
  samples_per_s: number | null;
  tokens_per_s: number | null;
  gflops: number | null;
  first_step_s: number | null;
  peak_mb: number | null;
  torch_step_s: number | null;
  ratio_vs_torch: number | null;
  note: string;
}

/**
 * One trainer step as src/core/train/trainer.ts takes it, with the one asynchronous read of the loss. With
 * `micro` < `batch` the batch runs as micro-batches whose gradients are summed (the trainer's gradient
 * accumulation): under tf.variableGrads tfjs keeps every forward and backward intermediate until the end, and a
 * MiniLM step on 32 × 128 tokens needs more than the wasm backend's 4 GiB heap.
 */
export function makeStep(model: SequenceClassifier, batch: number, micro = batch, seed = 0, seq = SEQ) {
  const vocab = model.config.vocab_size;
  const chunks = Math.ceil(batch / micro);
  const inputs = Array.from({ length: chunks }, (_, i) => {
    const size = Math.min(micro, batch - i * micro);
    return {
      ids: tf.tidy(() => tf.randomUniform([size, seq], 1000, vocab, 'int32', seed + 2 * i) as tf.Tensor2D),
      mask: tf.ones([size, seq], 'int32') as tf.Tensor2D,
      labels: tf.tidy(() => tf.randomUniform([size], 0, 2, 'int32', seed + 2 * i + 1) as tf.Tensor1D),
    };
  });
  const params = new Map([...model.variables].filter(([, v]) => v.trainable));
  const varList = [...params.values()];
  const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
  const optimizer = new AdamW(params, { weightDecay: 0.01 });
  let calls = 0;
  const step = async (): Promise<number> => {
    const named = new Map<string, tf.Tensor>();
    let loss = tf.scalar(0);
    for (const { ids, mask, labels } of inputs) {
      calls += 1;
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward(
          { inputIds: ids, attentionMask: mask },
          { training: true, dropoutSeed: calls },
        );
        return crossEntropy(logits, labels).div(chunks) as tf.Scalar;
      }, varList);
      const sum = loss.add(value) as tf.Scalar;
      tf.dispose([loss, value]);
      loss = sum;
      for (const [varName, g] of Object.entries(grads)) {
        const key = keyOf.get(varName) as string;
        const prev = named.get(key);
        named.set(key, prev ? tf.add(prev, g) : g);
        if (prev) tf.dispose([prev, g]);
      }
    }
    const { grads: clipped, totalNorm } = clipByGlobalNorm(named, 1);
    tf.dispose([...named.values()]);
    optimizer.applyGradients(clipped, 1e-4);
    tf.dispose([...clipped.values(), totalNorm]);
    const lossValue = (await loss.data())[0]!;
    loss.dispose();
    return lossValue;
  };
  const dispose = () => {
    optimizer.dispose();
    tf.dispose(inputs.flatMap((x) => [x.ids, x.mask, x.labels]));
  };
  return { step, dispose };
}

function loadModel(dir: string): SequenceClassifier {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  return buildClassifier(config, weights, { numLabels: 2, seed: 0, modelName: dir });
}

export async function runCase(c: Case): Promise<Omit<StepRow, 'torch_step_s' | 'ratio_vs_torch'>> {
  const seq = c.seq ?? SEQ;
  const base = {
    model: c.model.name,
    batch: c.batch,
    backend: caseBackendName(c),
  };
  const empty = {
    step_s: null,
    samples_per_s: null,
    tokens_per_s: null,
    gflops: null,
    first_step_s: null,
    peak_mb: null,
  };
  if (c.steps === 0) return { ...base, ...empty, note: c.skip ?? 'skipped' };
  const threads = c.variant ? 1 : THREADS;
  const info = await initBackend({ prefer: c.backend, wasmThreads: nodeWasmThreads(threads) });
  if (info.name !== c.backend)
    return { ...base, ...empty, note: `unavailable: ${info.fallbacks[0]?.reason ?? '?'}` };
  const dir = c.checkpointDir ?? randomCheckpoint(c.model);
  const t0 = performance.now();
  const model = loadModel(dir);
  if (c.variant === 'stock') unregisterWasmMatMul();
  const micro = c.backend === 'wasm' ? (WASM_MICRO_BATCH[c.model.name] ?? c.batch) : c.batch;
  const { step, dispose } = makeStep(model, c.batch, micro, 0, seq);
  let peak = 0;
  const trackPeak = () => {
    const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    peak = Math.max(peak, mem.numBytesInGPU ?? mem.numBytes);
  };
  await step();
  trackPeak();
  const first = (performance.now() - t0) / 1000;
  const times: number[] = [];
  for (let i = 0; i < c.steps; i++) {
    const s0 = performance.now();
    await step();
    times.push((performance.now() - s0) / 1000);
    trackPeak();
  }
  // One more step under tf.profile: the peak bytes inside the step and the time per kernel
  // (Only where a step is short: the profiled step is one more whole step.)
  if (stepFlops(c.model, c.batch, seq) < 3e11 && c.backend === 'wasm') {
    const profile = await tf.profile(() => step());
    peak = Math.max(peak, profile.peakBytes);
    recordBreakdown(`${c.model.name} b${c.batch} ${base.backend}`, profile);
  }
  dispose();
  model.dispose();
  registerWasmMatMul();
  const stepS = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  return {
    ...base,
    step_s: round(stepS, 3),
    samples_per_s: round(c.batch / stepS, 2),
    tokens_per_s: Math.round((c.batch * seq) / stepS),
    gflops: round(stepFlops(c.model, c.batch, seq) / stepS / 1e9, 2),
    first_step_s: round(first, 2),
    peak_mb: Math.round(peak / 2 ** 20),
    note: [
      info.name === 'webgpu' ? (info.adapter ?? '') : '',
      micro < c.batch ? `${c.batch / micro} micro-batches of ${micro} (4 GiB wasm heap)` : '',
    ]
      .filter(Boolean)
      .join('; '),
  };
}

function caseBackendName(c: Case): string {
  if (c.variant === 'stock') return `${c.backend} 1 thread (stock tfjs matMul)`;
  if (c.variant === '1 thread') return `${c.backend} 1 thread`;
  return c.backend === 'wasm' ? `wasm ${THREADS} threads` : c.backend;
}

export function torchStep(
  m: ModelShape,
  batch: number,
  steps: number,
  options: { python?: string; device?: string; seq?: number; checkpointDir?: string } = {},
): { step_s: number; first_step_s: number; peak_bytes?: number | null } {
  const out = execFileSync(
    options.python ?? PYTHON_STACK,
    [
      join(import.meta.dirname, 'torch_step.py'),
      '--model',
      options.checkpointDir ?? randomCheckpoint(m),
      '--batch',
      String(batch),
      '--seq',
      String(options.seq ?? SEQ),
      '--steps',
      String(steps),
      '--threads',
      String(THREADS),
      '--device',
      options.device ?? 'cpu',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  ).toString();
  return JSON.parse(out.trim().split('\n').pop() as string) as ReturnType<typeof torchStep>;
}

export interface OpRow {
  step: string;
  kernel: string;
  calls: number;
  ms: number;
  share: string;
}

/** Per-kernel time of the profiled steps, the largest first (filled as the cases run). */
export const breakdown: OpRow[] = [];

function recordBreakdown(step: string, profile: Awaited<ReturnType<typeof tf.profile>>): void {
  const byKernel = new Map<string, { calls: number; ms: number }>();
  let total = 0;
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls += 1;
    e.ms += ms;
    total += ms;
    byKernel.set(k.name, e);
  }
  const top = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
  for (const [kernel, e] of top)
    breakdown.push({
      step,
      kernel,
      calls: e.calls,
      ms: round(e.ms, 1),
      share: `${((100 * e.ms) / total).toFixed(1)}%`,
    });
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/**
 * The combinations: the quick set (BENCH_QUICK=1) keeps to bert-tiny and MiniLM at batch 32 on wasm;
 * BENCH_MODELS=bert-tiny,MiniLM-L6 picks models by name.
 */
export function cases(quick: boolean): Case[] {
  const out: Case[] = [];
  const only = process.env.BENCH_MODELS?.split(',');
  for (const model of MODELS.filter((m) => !only || only.includes(m.name))) {
    for (const batch of [32, 64]) {
      const big = stepFlops(model, batch) / 1e9; // GFLOP per step
      for (const backend of ['wasm', 'webgpu', 'cpu'] as BackendName[]) {
        let steps = big > 500 ? 1 : 3;
        let skip: string | undefined;
        if (quick && (backend !== 'wasm' || batch !== 32 || model.name === 'DistilBERT-dims')) continue;
        // SwiftShader and the plain-JS cpu backend run ~1-3 GFLOP/s: only bert-tiny at batch 32 fits.
        if (backend !== 'wasm' && (model.name !== 'bert-tiny' || batch !== 32)) {
          steps = 0;
          skip = `skipped: a step would take minutes (${Math.round(big)} GFLOP)`;
        } else if (backend !== 'wasm') steps = 1;
        out.push({ model, batch, backend, steps, skip });
        // Befores in one run: the single-threaded build, and tfjs's own matMul on wasm (≈ 3 GFLOP/s) where a
        // step stays under ~2 min.
        if (backend === 'wasm' && batch === 32 && model.name !== 'DistilBERT-dims')
          out.push({ model, batch, backend, variant: '1 thread', steps: model.name === 'bert-tiny' ? 3 : 1 });
        if (backend === 'wasm' && batch === 32 && (model.name === 'bert-tiny' || (!quick && big < 400)))
          out.push({ model, batch, backend, variant: 'stock', steps: model.name === 'bert-tiny' ? 2 : 1 });
      }
    }
  }
  return out;
}

/**
 * Runs one case in a child process: a fresh wasm heap (4 GiB at most) each time, and an out-of-memory abort
 * of the wasm module (which leaves it unusable) becomes a row that says so instead of ending the benchmark.
 */
function runCaseIsolated(c: Case): { row: Omit<StepRow, 'torch_step_s' | 'ratio_vs_torch'>; ops: OpRow[] } {
  const arg = JSON.stringify({
    model: c.model.name,
    batch: c.batch,
    backend: c.backend,
    variant: c.variant,
    steps: c.steps,
    skip: c.skip,
  });
  const result = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--case', arg], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 15 * 60 * 1000,
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith(CASE_PREFIX));
  if (line) return JSON.parse(line.slice(CASE_PREFIX.length)) as { row: StepRow; ops: OpRow[] };
  const why = /RuntimeError: ([^\n]*)|Error: ([^\n]*)/.exec(result.stderr ?? '');
  return {
    row: {
      model: c.model.name,
      batch: c.batch,
      backend: caseBackendName(c),
      step_s: null,
      samples_per_s: null,
      tokens_per_s: null,
      gflops: null,
      first_step_s: null,
      peak_mb: null,
      note: `failed: ${(why?.[1] ?? why?.[2] ?? `exit ${result.status}`).slice(0, 120)}`,
    },
    ops: [],
  };
}

const CASE_PREFIX = 'CASE_RESULT ';

export const trainStepSuite = {
  name: 'train step (forward + backward + clip + AdamW), 128 tokens',
  async run(): Promise<StepRow[]> {
    const quick = process.env.BENCH_QUICK === '1';
    installNodeWebGPU();
    const rows: StepRow[] = [];
    const torch = new Map<string, { step_s: number } | null>();
    for (const c of cases(quick)) {
      const key = `${c.model.name}/${c.batch}`;
      if (!torch.has(key)) {
        // A DistilBERT-sized step takes minutes on 2 threads (BENCH_TORCH_ALL=1 measures it anyway).
        const gflop = stepFlops(c.model, c.batch) / 1e9;
        const t =
          gflop < 600 || process.env.BENCH_TORCH_ALL === '1'
            ? torchStep(c.model, c.batch, gflop > 200 ? 1 : 3)
            : null;
        torch.set(key, t);
        rows.push({
          model: c.model.name,
          batch: c.batch,
          backend: `transformers (torch) ${THREADS} threads`,
          step_s: t && round(t.step_s, 3),
          samples_per_s: t && round(c.batch / t.step_s, 2),
          tokens_per_s: t && Math.round((c.batch * SEQ) / t.step_s),
          gflops: t && round((gflop * 1e9) / t.step_s / 1e9, 2),
          first_step_s: t && round(t.first_step_s, 2),
          peak_mb: null,
          torch_step_s: t && round(t.step_s, 3),
          ratio_vs_torch: t && 1,
          note: t ? '' : `skipped: ${Math.round(gflop)} GFLOP (BENCH_TORCH_ALL=1 runs it)`,
        });
      }
      const { row, ops } = runCaseIsolated(c);
      breakdown.push(...ops);
      const t = torch.get(key)?.step_s ?? null;
      rows.push({
        ...row,
        torch_step_s: t && round(t, 3),
        ratio_vs_torch: row.step_s === null || t === null ? null : round(row.step_s / t, 2),
      });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
    return rows;
  },
};

export const stepProfileSuite = {
  name: 'per-kernel time of one profiled step (tf.profile; run after the train-step suite)',
  run: async (): Promise<OpRow[]> => Promise.resolve(breakdown),
};

const caseArg = process.argv.indexOf('--case');
if (caseArg > 0) {
  const spec = JSON.parse(process.argv[caseArg + 1]!) as Omit<Case, 'model'> & { model: string };
  const model = MODELS.find((m) => m.name === spec.model)!;
  installNodeWebGPU();
  const row = await runCase({ ...spec, model });
  console.log(CASE_PREFIX + JSON.stringify({ row, ops: breakdown }));
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await trainStepSuite.run());
  console.table(breakdown);
  process.exit(0);
}
