// Generation throughput: greedy decoding with the KV cache of a SmolLM2-135M-shaped Llama (random weights;
// hidden 576, intermediate 1536, 30 layers, 9 heads, 3 kv heads, vocab 49152, tied embeddings) on wasm, and
// transformers' generate() on the very same checkpoint (PYTHON_STACK, torch on the same 2 threads) as the peer,
// in one run; a tiny Llama on wasm (one prompt, and four as one left-padded batch) and on webgpu, where the
// before is tfjs's own matMul program choice (backend.ts tunes it on SwiftShader). The 135M shape on webgpu
// runs with BENCH_GENERATE_WEBGPU_135M=1: on SwiftShader (no GPU driver here) its prefill takes minutes.
// `npx tsx bench/generate.ts` prints the table; `generateSuite` plugs into bench/run.ts.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { installNodeWebGPU } from '../src/cli/node-webgpu';
import { initBackend, type BackendName } from '../src/core/backend';
import { generateBatch, GENERATION_DEFAULTS } from '../src/core/generate';
import { readSafetensors } from '../src/core/hub/safetensors';
import { buildCausalLM } from '../src/core/models/causal-lm';
import type { HFConfig } from '../src/core/models/types';
import { runPythonStack } from '../test/support/python';

const THREADS = 2;
const PROMPT_TOKENS = 16;

interface Shape {
  name: string;
  config: Record<string, unknown>;
}

const SMOLLM2_135M: Shape = {
  name: 'SmolLM2-135M-shaped',
  config: {
    hidden_size: 576,
    intermediate_size: 1536,
    num_hidden_layers: 30,
    num_attention_heads: 9,
    num_key_value_heads: 3,
    vocab_size: 49152,
    tie_word_embeddings: true,
    max_position_embeddings: 2048,
    rope_theta: 100000,
    rms_norm_eps: 1e-5,
  },
};

const TINY: Shape = {
  name: 'tiny llama (4 layers, 256 wide)',
  config: {
    hidden_size: 256,
    intermediate_size: 704,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 8192,
    tie_word_embeddings: true,
    max_position_embeddings: 512,
  },
};

/** A random LlamaForCausalLM of this shape saved by transformers itself, made once per machine. */
function checkpoint(shape: Shape): string {
  const dir = join(tmpdir(), 'webtune-bench-models', shape.name.replace(/[^a-z0-9]+/gi, '-'));
  if (!existsSync(join(dir, 'model.safetensors'))) {
    mkdirSync(dir, { recursive: true });
    runPythonStack(
      `import json, sys, torch
from transformers import LlamaConfig, LlamaForCausalLM
job = json.load(sys.stdin)
torch.manual_seed(0)
model = LlamaForCausalLM(LlamaConfig(**job["config"]))
model.save_pretrained(job["dir"])
print("{}")`,
      { config: shape.config, dir },
      600_000,
    );
  }
  return dir;
}

export interface GenerateRow {
  model: string;
  side: string;
  new_tokens: number;
  prefill_s: number;
  decode_tokens_per_s: number;
}

function prompt(vocab: number): number[] {
  return Array.from({ length: PROMPT_TOKENS }, (_, i) => (i * 7919 + 13) % vocab);
}

interface OursOptions {
  newTokens: number;
  /** Prompts decoded together as one batch (the same prompt repeated); tokens/s counts every row's tokens. */
  batch?: number;
  /** The befores: tfjs's own matMul program choice on webgpu (this bench's SwiftShader tuning off). */
  tfjsMatMulChoice?: boolean;
}

async function ours(shape: Shape, backend: BackendName, o: OursOptions): Promise<GenerateRow> {
  const info = await initBackend({ prefer: backend });
  // The flag exists once the webgpu backend is loaded.
  const tuned = o.tfjsMatMulChoice ? tf.env().get('WEBGPU_MATMUL_PROGRAM_TYPE') : undefined;
  if (o.tfjsMatMulChoice) tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', -1);
  const dir = checkpoint(shape);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const model = buildCausalLM(
    config,
    readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))),
  );
  const batch = o.batch ?? 1;
  const prompts = Array.from({ length: batch }, () => prompt(model.dims.vocabSize));
  const settings = { ...GENERATION_DEFAULTS, eosTokenIds: [] };
  // Warm-up (kernels, shader compilation), then the measured run: time to the first token is the prefill.
  await generateBatch(model, prompts, settings, { maxNewTokens: 4 });
  const start = performance.now();
  let first = 0;
  await generateBatch(model, prompts, settings, {
    maxNewTokens: o.newTokens,
    onToken: () => {
      if (!first) first = performance.now();
    },
  });
  const end = performance.now();
  model.dispose();
  if (tuned !== undefined) tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', tuned);
  const device = backend === 'webgpu' ? ` (${info.adapter ?? 'adapter unknown'})` : '';
  return {
    model: shape.name,
    side:
      `WebTune ${backend}${device}` +
      (batch > 1 ? `, ${batch} prompts in one batch` : '') +
      (o.tfjsMatMulChoice ? ", before: tfjs's own matMul programs" : ''),
    new_tokens: o.newTokens,
    prefill_s: +((first - start) / 1000).toFixed(3),
    decode_tokens_per_s: +(((o.newTokens - 1) * batch * 1000) / (end - first)).toFixed(2),
  };
}

function transformers(shape: Shape, newTokens: number): GenerateRow {
  const out = runPythonStack<{ prefill_s: number; decode_s: number }>(
    `import json, sys, time, torch
from transformers import AutoModelForCausalLM
job = json.load(sys.stdin)
torch.set_num_threads(job["threads"])
model = AutoModelForCausalLM.from_pretrained(job["dir"], dtype=torch.float32).eval()
ids = torch.tensor([job["ids"]])
mask = torch.ones_like(ids)
kw = dict(attention_mask=mask, do_sample=False, use_cache=True)
with torch.inference_mode():
    model.generate(ids, max_new_tokens=4, min_new_tokens=4, **kw)
    t0 = time.perf_counter()
    model.generate(ids, max_new_tokens=1, min_new_tokens=1, **kw)
    t1 = time.perf_counter()
    model.generate(ids, max_new_tokens=job["new"], min_new_tokens=job["new"], **kw)
    t2 = time.perf_counter()
print(json.dumps({"prefill_s": t1 - t0, "decode_s": (t2 - t1) - (t1 - t0)}))`,
    {
      dir: checkpoint(shape),
      ids: prompt(shape.config.vocab_size as number),
      new: newTokens,
      threads: THREADS,
    },
    600_000,
  );
  return {
    model: shape.name,
    side: `transformers ${THREADS} threads`,
    new_tokens: newTokens,
    prefill_s: +out.prefill_s.toFixed(3),
    decode_tokens_per_s: +((newTokens - 1) / out.decode_s).toFixed(2),
  };
}

export const generateSuite = {
  name: `greedy generation with the KV cache, ${PROMPT_TOKENS}-token prompt`,
  async run(): Promise<GenerateRow[]> {
    const quick = process.env.BENCH_QUICK === '1';
    const newTokens = quick ? 16 : 32;
    installNodeWebGPU();
    const rows: GenerateRow[] = [];
    rows.push(transformers(SMOLLM2_135M, newTokens));
    rows.push(await ours(SMOLLM2_135M, 'wasm', { newTokens }));
    // On SwiftShader the 135M model's 16-token prefill alone takes minutes; BENCH_GENERATE_WEBGPU_135M=1 (or a
    // real GPU) runs it.
    if (process.env.BENCH_GENERATE_WEBGPU_135M === '1')
      rows.push(await ours(SMOLLM2_135M, 'webgpu', { newTokens: quick ? 4 : 8 }));
    rows.push(transformers(TINY, newTokens));
    rows.push(await ours(TINY, 'wasm', { newTokens }));
    rows.push(await ours(TINY, 'wasm', { newTokens, batch: 4 }));
    const gpuTokens = quick ? 8 : 16;
    rows.push(await ours(TINY, 'webgpu', { newTokens: gpuTokens }));
    rows.push(await ours(TINY, 'webgpu', { newTokens: gpuTokens, tfjsMatMulChoice: true }));
    return rows;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await generateSuite.run());
  process.exit(0);
}
