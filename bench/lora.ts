// Full fine-tuning against LoRA, one training step (forward, backward, clip, AdamW) of a DistilBERT-shaped
// classifier and a SmolLM2-135M-shaped causal LM (random weights at those shapes), side by side on each backend:
// time per step and peak memory (tf.profile's peak bytes; numBytesInGPU on webgpu). LoRA trains PEFT's default
// targets (query/value, q_proj/v_proj) at r 8 (and the head for the classifier); the base stays frozen.
// `npx tsx bench/lora.ts` prints the table; `loraStepSuite` plugs into bench/run.ts.
import * as tf from '@tensorflow/tfjs';

import { initBackend, type BackendName } from '../src/core/backend';
import type { TensorMap } from '../src/core/hub/tensors';
import { attachLora } from '../src/core/lora/attach';
import { countParameters, formatParameterShare, trainingMemoryEstimate } from '../src/core/lora/budget';
import { resolveLoraConfig } from '../src/core/lora/config';
import { buildCausalLM, type CausalLM } from '../src/core/models/causal-lm';
import type { HFConfig, SequenceClassifier } from '../src/core/models/types';
import { createRng } from '../src/core/random';
import { AdamW } from '../src/core/train/adamw';
import { clipByGlobalNorm } from '../src/core/train/clip';
import { crossEntropy } from '../src/core/train/loss';
import { makeStep, MODELS, randomCheckpoint } from './train-step';
import { buildClassifier } from '../src/core/models/build';
import { readSafetensors } from '../src/core/hub/safetensors';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const QUICK = process.env.BENCH_QUICK === '1';
const BACKENDS: BackendName[] = (process.env.BENCH_LORA_BACKENDS?.split(',') as BackendName[]) ?? ['wasm'];

/** SmolLM2-135M's config (HuggingFaceTB/SmolLM2-135M), for random weights at its shape. */
const SMOLLM2_135M: HFConfig = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  vocab_size: 49152,
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  tie_word_embeddings: true,
  hidden_act: 'silu',
};

/** Random weights (uniform ±0.02; norms at 1) for every tensor LlamaForCausalLM has at this config. */
function randomLlamaWeights(c: HFConfig): TensorMap {
  const rng = createRng(0);
  const h = c.hidden_size!;
  const kv = (h / c.num_attention_heads!) * (c.num_key_value_heads as number);
  const inter = c.intermediate_size!;
  const out: TensorMap = new Map();
  const put = (name: string, shape: number[], norm = false) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = norm ? 1 : (rng.next() - 0.5) * 0.04;
    out.set(`model.${name}`, { shape, data });
  };
  put('embed_tokens.weight', [c.vocab_size, h]);
  for (let i = 0; i < c.num_hidden_layers!; i++) {
    const at = (n: string) => `layers.${i}.${n}`;
    put(at('input_layernorm.weight'), [h], true);
    put(at('post_attention_layernorm.weight'), [h], true);
    put(at('self_attn.q_proj.weight'), [h, h]);
    put(at('self_attn.k_proj.weight'), [kv, h]);
    put(at('self_attn.v_proj.weight'), [kv, h]);
    put(at('self_attn.o_proj.weight'), [h, h]);
    put(at('mlp.gate_proj.weight'), [inter, h]);
    put(at('mlp.up_proj.weight'), [inter, h]);
    put(at('mlp.down_proj.weight'), [h, inter]);
  }
  put('norm.weight', [h], true);
  return out;
}

/** One causal-LM training step over the given variables (the trainer's recipe: loss, grads, clip, AdamW). */
function makeLmStep(model: CausalLM, params: Map<string, tf.Variable>, batch: number, seq: number) {
  const ids = tf.tidy(
    () => tf.randomUniform([batch, seq], 0, model.dims.vocabSize, 'int32', 1) as tf.Tensor2D,
  );
  const varList = [...params.values()];
  const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
  const optimizer = new AdamW(params, { weightDecay: 0.01 });
  const step = async () => {
    const { value, grads } = tf.variableGrads(
      () => model.loss({ inputIds: ids }, undefined, { training: true }),
      varList,
    );
    const named = new Map(Object.entries(grads).map(([n, g]) => [keyOf.get(n)!, g]));
    const { grads: clipped, totalNorm } = clipByGlobalNorm(named, 1);
    tf.dispose([...named.values()]);
    optimizer.applyGradients(clipped, 1e-4);
    tf.dispose([...clipped.values(), totalNorm]);
    const loss = (await value.data())[0]!;
    value.dispose();
    return loss;
  };
  return { step, dispose: () => (optimizer.dispose(), ids.dispose()) };
}

export interface LoraStepRow {
  model: string;
  mode: 'full' | 'lora';
  backend: string;
  batch: number;
  seq: number;
  trainable: string;
  step_s: number | null;
  peak_mb: number | null;
  estimate_mb: number;
  note: string;
}

async function measure(
  step: () => Promise<number>,
  steps: number,
): Promise<{ step_s: number; peak: number }> {
  await step(); // warm-up (webgpu compiles its shaders here)
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await step();
    times.push((performance.now() - t) / 1000);
  }
  const profile = await tf.profile(async () => void (await step()));
  const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const peak = Math.max(profile.peakBytes, mem.numBytesInGPU ?? 0);
  times.sort((a, b) => a - b);
  return { step_s: times[Math.floor(times.length / 2)]!, peak };
}

const MB = 2 ** 20;

async function classifierRow(backend: BackendName, mode: 'full' | 'lora'): Promise<LoraStepRow> {
  const shape = MODELS.find((m) => m.name === 'DistilBERT-dims')!;
  const dir = randomCheckpoint(shape);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const batch = backend === 'wasm' ? 4 : 8;
  const model: SequenceClassifier = buildClassifier(config, weights, { numLabels: 2, seed: 0 });
  if (mode === 'lora') attachLora(model, resolveLoraConfig('bert', 'SEQ_CLS'), { seed: 0 });
  const count = countParameters(model);
  const { step, dispose } = mode === 'lora' ? loraClassifierStep(model, batch) : makeStep(model, batch);
  const m = await measure(step, QUICK ? 2 : 4);
  dispose();
  model.dispose();
  return {
    model: 'DistilBERT-dims (66M)',
    mode,
    backend,
    batch,
    seq: 128,
    trainable: formatParameterShare(count),
    step_s: Number(m.step_s.toFixed(3)),
    peak_mb: Math.round(m.peak / MB),
    estimate_mb: Math.round(trainingMemoryEstimate(mode, count).total / MB),
    note: '',
  };
}

/** The classifier step of train-step.ts, over LoRA's trainable variables only. */
function loraClassifierStep(model: SequenceClassifier, batch: number) {
  const params = model.lora!.trainableVariables();
  const varList = [...params.values()];
  const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
  const optimizer = new AdamW(params, { weightDecay: 0.01 });
  const ids = tf.tidy(
    () => tf.randomUniform([batch, 128], 1000, model.config.vocab_size, 'int32', 1) as tf.Tensor2D,
  );
  const mask = tf.ones([batch, 128], 'int32') as tf.Tensor2D;
  const labels = tf.tidy(() => tf.randomUniform([batch], 0, 2, 'int32', 2) as tf.Tensor1D);
  let calls = 0;
  const step = async () => {
    calls += 1;
    const { value, grads } = tf.variableGrads(
      () =>
        crossEntropy(
          model.forward({ inputIds: ids, attentionMask: mask }, { training: true, dropoutSeed: calls }),
          labels,
        ) as tf.Scalar,
      varList,
    );
    const named = new Map(Object.entries(grads).map(([n, g]) => [keyOf.get(n)!, g]));
    const { grads: clipped, totalNorm } = clipByGlobalNorm(named, 1);
    tf.dispose([...named.values()]);
    optimizer.applyGradients(clipped, 1e-4);
    tf.dispose([...clipped.values(), totalNorm]);
    const loss = (await value.data())[0]!;
    value.dispose();
    return loss;
  };
  return { step, dispose: () => (optimizer.dispose(), tf.dispose([ids, mask, labels])) };
}

async function lmRow(backend: BackendName, mode: 'full' | 'lora'): Promise<LoraStepRow> {
  const weights = randomLlamaWeights(SMOLLM2_135M);
  const [batch, seq] = QUICK ? [1, 32] : [1, 128];
  const model = buildCausalLM(SMOLLM2_135M, weights, { modelName: 'SmolLM2-135M-shaped' });
  weights.clear();
  if (mode === 'lora') attachLora(model, resolveLoraConfig('llama', 'CAUSAL_LM'), { seed: 0 });
  const count = countParameters(model);
  const params = mode === 'lora' ? model.lora!.trainableVariables() : new Map(model.variables);
  const { step, dispose } = makeLmStep(model, params, batch, seq);
  const m = await measure(step, QUICK ? 1 : 3);
  dispose();
  model.dispose();
  return {
    model: 'SmolLM2-135M-shaped',
    mode,
    backend,
    batch,
    seq,
    trainable: formatParameterShare(count),
    step_s: Number(m.step_s.toFixed(3)),
    peak_mb: Math.round(m.peak / MB),
    estimate_mb: Math.round(trainingMemoryEstimate(mode, count).total / MB),
    note: '',
  };
}

const CASES = ['distilbert:full', 'distilbert:lora', 'smollm2:full', 'smollm2:lora'] as const;

/** One case in this process (`--lora-case distilbert:lora:wasm`): prints its row as one JSON line. */
async function runCase(spec: string): Promise<void> {
  const [model, mode, backend] = spec.split(':') as ['distilbert' | 'smollm2', 'full' | 'lora', BackendName];
  const info = await initBackend({ prefer: backend });
  if (info.name !== backend) throw new Error(`${backend} is unavailable here`);
  const row = model === 'distilbert' ? await classifierRow(backend, mode) : await lmRow(backend, mode);
  console.log(`ROW ${JSON.stringify(row)}`);
}

/**
 * Each case runs in its own process: a step that outgrows the wasm backend's 4 GiB heap aborts the whole
 * module, and the row then says so instead of ending the bench.
 */
export const loraStepSuite = {
  name: 'full fine-tuning vs LoRA, one training step',
  async run(): Promise<LoraStepRow[]> {
    const rows: LoraStepRow[] = [];
    for (const backend of BACKENDS) {
      for (const c of CASES) {
        const result = spawnSync(
          join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx'),
          [join(import.meta.dirname, 'lora.ts'), '--lora-case', `${c}:${backend}`],
          { encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 },
        );
        const line = result.stdout.split('\n').find((l) => l.startsWith('ROW '));
        if (line) rows.push(JSON.parse(line.slice(4)) as LoraStepRow);
        else {
          const [model, mode] = c.split(':') as [string, 'full' | 'lora'];
          const why = /Aborted\(\)/.test(result.stderr)
            ? 'aborted: out of the wasm heap (4 GiB)'
            : (result.stderr.trim().split('\n').at(-1) ?? '').slice(0, 100);
          rows.push({
            model,
            mode,
            backend,
            batch: 0,
            seq: 0,
            trainable: '',
            step_s: null,
            peak_mb: null,
            estimate_mb: 0,
            note: why,
          });
        }
        console.log(rows.at(-1));
      }
    }
    return rows;
  },
};

const caseFlag = process.argv.indexOf('--lora-case');
if (caseFlag > 0) {
  await runCase(process.argv[caseFlag + 1] ?? '');
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await loraStepSuite.run());
  process.exit(0);
}
