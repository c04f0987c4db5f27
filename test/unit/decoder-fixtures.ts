// Helpers shared by the decoder tests (unit and webgpu): the tiny random GPT-2 / Llama / Qwen2 fixtures that
// transformers saved, their reference.json (see each fixture's README.md), and the measurements against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { readSafetensors } from '../../src/core/hub/safetensors';
import type { TensorMap } from '../../src/core/hub/tensors';
import { buildCausalLM, type CausalLM } from '../../src/core/models/causal-lm';
import { positionIds } from '../../src/core/models/decoder';
import type { HFConfig } from '../../src/core/models/types';
import { sharedModelDir } from '../support/shared';
import { maxAbsDiff, randomNormals } from './models-fixtures';

export const DECODER_FIXTURES = [
  'webtune/tiny-random-gpt2',
  'webtune/tiny-random-llama',
  'webtune/tiny-random-qwen2',
] as const;

export interface DecoderReference {
  prompts: string[];
  pad_token_id: number;
  input_ids: number[][];
  attention_mask: number[][];
  last_hidden_state: number[][][];
  vocab_sample: number[];
  logits_at_vocab_sample: number[][][];
  argmax: number[][];
  next_token_logprob: number[][];
  loss: number;
  greedy_16: number[][];
  left_padded: { input_ids: number[][]; attention_mask: number[][]; last_logits_at_vocab_sample: number[][] };
  chat?: { messages: { role: string; content: string }[]; text: string; input_ids: number[] };
  train_5_steps: { loss_before_step: number[]; lr: number; weight_decay: number; eps: number };
}

export interface DecoderFixture {
  id: string;
  dir: string;
  config: HFConfig;
  weights: TensorMap;
  reference: DecoderReference;
}

export function loadDecoderFixture(id: string): DecoderFixture {
  const dir = sharedModelDir(id);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as DecoderReference;
  return { id, dir, config, weights, reference };
}

export function buildFixture(fixture: DecoderFixture): CausalLM {
  return buildCausalLM(fixture.config, fixture.weights, { modelName: fixture.id });
}

export interface DecoderMeasured {
  lastHiddenState: number;
  logitsAtVocabSample: number;
  nextTokenLogprob: number;
  loss: number;
  /** transformers' forward on the left-padded batch (default positions 0, 1, … from the first column). */
  leftPaddedLastLogits: number;
  /**
   * The left-padded batch with positions counted from each row's first token (as generation does) against the
   * reference's own unpadded last logits: the padding must not change them.
   */
  leftPaddedAsGenerate: number;
  /** Positions whose arg-max differs from the reference's. */
  argmaxMismatches: number;
}

export function formatDecoderMeasured(m: DecoderMeasured): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : (v as number).toExponential(2)}`)
    .join(', ');
}

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');

/** Every reference output of the forward pass and the loss, measured on the current backend. */
export async function measureDecoder(model: CausalLM, reference: DecoderReference): Promise<DecoderMeasured> {
  const inputs = { inputIds: ids(reference.input_ids), attentionMask: ids(reference.attention_mask) };
  const sample = tf.tensor1d(reference.vocab_sample, 'int32');
  const [batch, length] = inputs.inputIds.shape;
  const hidden = model.hiddenStates(inputs, { training: false });
  const logits = model.logits(hidden) as tf.Tensor3D;
  const [atSample, argmax, logprob] = tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    const next = tf.slice(inputs.inputIds, [0, 1], [batch, length - 1]);
    const flat = tf.reshape(tf.slice(logProbs, [0, 0, 0], [batch, length - 1, -1]), [-1]);
    const index = tf.add(
      tf.mul(tf.range(0, batch * (length - 1), 1, 'int32'), tf.scalar(model.dims.vocabSize, 'int32')),
      tf.reshape(next, [-1]),
    );
    return [tf.gather(logits, sample, 2), tf.argMax(logits, -1), tf.gather(flat, index)];
  });
  const loss = model.loss(inputs, undefined, { training: false });
  const left = {
    inputIds: ids(reference.left_padded.input_ids),
    attentionMask: ids(reference.left_padded.attention_mask),
  };
  const leftLast = tf.tidy(() => tf.gather(model.nextTokenLogits(left, { training: false }), sample, 1));
  const positions = positionIds(left.attentionMask);
  const leftGenerate = tf.tidy(() =>
    tf.gather(model.nextTokenLogits(left, { training: false, positionIds: positions }), sample, 1),
  );
  const ownLast = reference.attention_mask.map((mask, b) => {
    const real = mask.reduce((a, x) => a + x, 0);
    return reference.logits_at_vocab_sample[b]![real - 1]!;
  });
  const argmaxIds = (await argmax.array()) as number[][];
  const measured: DecoderMeasured = {
    lastHiddenState: maxAbsDiff(await hidden.data(), reference.last_hidden_state.flat(2)),
    logitsAtVocabSample: maxAbsDiff(await atSample.data(), reference.logits_at_vocab_sample.flat(2)),
    nextTokenLogprob: maxAbsDiff(await logprob.data(), reference.next_token_logprob.flat()),
    loss: Math.abs((await loss.data())[0]! - reference.loss),
    leftPaddedLastLogits: maxAbsDiff(
      await leftLast.data(),
      reference.left_padded.last_logits_at_vocab_sample.flat(),
    ),
    leftPaddedAsGenerate: maxAbsDiff(await leftGenerate.data(), ownLast.flat()),
    argmaxMismatches: argmaxIds.flat().filter((id, i) => id !== reference.argmax.flat()[i]).length,
  };
  tf.dispose([
    inputs.inputIds,
    inputs.attentionMask,
    left.inputIds,
    left.attentionMask,
    sample,
    hidden,
    logits,
  ]);
  tf.dispose([atSample, argmax, logprob, loss, leftLast, positions, leftGenerate]);
  return measured;
}

export type TinyDecoder = 'gpt2' | 'llama' | 'qwen2';

/** Tiny configs in each architecture's own field names: GQA (4 heads, 2 kv heads) and a head_dim ≠ hidden / heads. */
export function tinyDecoderConfig(arch: TinyDecoder): HFConfig {
  if (arch === 'gpt2') {
    return {
      model_type: 'gpt2',
      vocab_size: 40,
      n_embd: 16,
      n_layer: 2,
      n_head: 4,
      n_positions: 16,
      activation_function: 'gelu_new',
      tie_word_embeddings: true,
      max_position_embeddings: 16,
    };
  }
  return {
    model_type: arch,
    vocab_size: 40,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 6,
    max_position_embeddings: 16,
    rope_theta: 100,
    tie_word_embeddings: arch === 'llama',
    hidden_act: 'silu',
  };
}

/** Random weights under transformers' names for tinyDecoderConfig (norm weights around 1). */
export function tinyDecoderCheckpoint(arch: TinyDecoder, seed = 1): TensorMap {
  const shapes: [string, number[]][] = [];
  if (arch === 'gpt2') {
    shapes.push(['transformer.wte.weight', [40, 16]], ['transformer.wpe.weight', [16, 16]]);
    for (let i = 0; i < 2; i++) {
      const at = (n: string) => `transformer.h.${i}.${n}`;
      shapes.push(
        [at('ln_1.weight'), [16]],
        [at('ln_1.bias'), [16]],
        [at('attn.c_attn.weight'), [16, 48]],
        [at('attn.c_attn.bias'), [48]],
        [at('attn.c_proj.weight'), [16, 16]],
        [at('attn.c_proj.bias'), [16]],
        [at('ln_2.weight'), [16]],
        [at('ln_2.bias'), [16]],
        [at('mlp.c_fc.weight'), [16, 64]],
        [at('mlp.c_fc.bias'), [64]],
        [at('mlp.c_proj.weight'), [64, 16]],
        [at('mlp.c_proj.bias'), [16]],
      );
    }
    shapes.push(['transformer.ln_f.weight', [16]], ['transformer.ln_f.bias', [16]]);
  } else {
    const bias = arch === 'qwen2';
    shapes.push(['model.embed_tokens.weight', [40, 16]]);
    for (let i = 0; i < 2; i++) {
      const at = (n: string) => `model.layers.${i}.${n}`;
      shapes.push(
        [at('input_layernorm.weight'), [16]],
        [at('self_attn.q_proj.weight'), [24, 16]],
        [at('self_attn.k_proj.weight'), [12, 16]],
        [at('self_attn.v_proj.weight'), [12, 16]],
        [at('self_attn.o_proj.weight'), [16, 24]],
        [at('post_attention_layernorm.weight'), [16]],
        [at('mlp.gate_proj.weight'), [24, 16]],
        [at('mlp.up_proj.weight'), [24, 16]],
        [at('mlp.down_proj.weight'), [16, 24]],
      );
      if (bias) {
        shapes.push(
          [at('self_attn.q_proj.bias'), [24]],
          [at('self_attn.k_proj.bias'), [12]],
          [at('self_attn.v_proj.bias'), [12]],
        );
      }
    }
    shapes.push(['model.norm.weight', [16]]);
    if (arch === 'qwen2') shapes.push(['lm_head.weight', [40, 16]]);
  }
  const weights: TensorMap = new Map();
  shapes.forEach(([name, shape], i) => {
    const isNorm = /(ln_\d|ln_f|layernorm|norm)\.weight$/.test(name);
    const size = shape.reduce((a, b) => a * b, 1);
    weights.set(name, {
      shape,
      data: randomNormals(size, isNorm ? 0.1 : 0.3, seed * 1000 + i + 1, isNorm ? 1 : 0),
    });
  });
  return weights;
}
