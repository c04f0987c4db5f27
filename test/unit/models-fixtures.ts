// Helpers shared by the model tests (unit and webgpu): fixture loading and max-|difference| measurement
// against the PyTorch reference outputs in ../shared/models/*/reference.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { readSafetensors } from '../../src/core/hub/safetensors';
import type { TensorMap } from '../../src/core/hub/tensors';
import { buildClassifier } from '../../src/core/models/build';
import type { EncoderInputs, HFConfig, SequenceClassifier } from '../../src/core/models/types';
import type { TokenizedExample } from '../../src/core/train/batching';
import { sharedModelDir } from '../support/shared';

export interface Reference {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  last_hidden_state: number[][][];
  pooler_output?: number[][];
  logits?: number[][];
}

export interface Fixture {
  id: string;
  config: HFConfig;
  weights: TensorMap;
  reference: Reference;
}

export function loadFixture(id: string): Fixture {
  const dir = sharedModelDir(id);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  return { id, config, weights, reference };
}

export function fixtureInputs(reference: Reference): EncoderInputs {
  const ids = tf.tensor2d(reference.input_ids, undefined, 'int32');
  return {
    inputIds: ids,
    attentionMask: tf.tensor2d(reference.attention_mask, undefined, 'int32'),
    tokenTypeIds: reference.token_type_ids
      ? tf.tensor2d(reference.token_type_ids, undefined, 'int32')
      : undefined,
  };
}

export function maxAbsDiff(actual: ArrayLike<number>, expected: number[]): number {
  if (actual.length !== expected.length)
    throw new Error(`size ${actual.length} ≠ reference ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

export interface Measured {
  lastHiddenState: number;
  poolerOutput?: number;
  logits?: number;
}

export function formatMeasured(m: Measured): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${(v as number).toExponential(2)}`)
    .join(', ');
}

/** Builds the fixture on the current backend and measures every reference output it has (eval mode). */
export async function measureFixture(fixture: Fixture): Promise<Measured> {
  const numLabels = fixture.reference.logits?.[0]?.length ?? 2;
  const model: SequenceClassifier = buildClassifier(fixture.config, fixture.weights, {
    numLabels,
    seed: 1,
    modelName: fixture.id,
  });
  const inputs = fixtureInputs(fixture.reference);
  try {
    const encoded = model.encode(inputs, { training: false });
    const logits = model.forward(inputs, { training: false });
    const ref = fixture.reference;
    const out: Measured = {
      lastHiddenState: maxAbsDiff(await encoded.lastHiddenState.data(), ref.last_hidden_state.flat(2)),
    };
    if (ref.pooler_output) {
      if (!encoded.poolerOutput) throw new Error(`${fixture.id}: no pooler output`);
      out.poolerOutput = maxAbsDiff(await encoded.poolerOutput.data(), ref.pooler_output.flat());
    }
    if (ref.logits) out.logits = maxAbsDiff(await logits.data(), ref.logits.flat());
    tf.dispose([encoded.lastHiddenState, encoded.poolerOutput, logits]);
    return out;
  } finally {
    tf.dispose([inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
    model.dispose();
  }
}

export const FIDELITY_FIXTURES = [
  'webtune/bert-tiny-mlm',
  'webtune/bert-random-h64-a4',
  'webtune/tiny-random-bert-cls',
  'webtune/tiny-random-distilbert-cls',
  'webtune/tiny-random-roberta-cls',
  'webtune/tiny-random-roberta-bpe-cls',
];

/** A seeded normal generator for test weights (independent of the engine's own). */
export function randomNormals(count: number, std: number, seed: number, mean = 0): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = mean + std * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

export type TinyArch = 'bert' | 'distilbert' | 'roberta';

/** A tiny config of each architecture: vocabulary 31, hidden 8, 2 heads, 2 layers, 3 labels. */
export function tinyConfig(arch: TinyArch): HFConfig {
  if (arch === 'distilbert') {
    return {
      model_type: 'distilbert',
      vocab_size: 31,
      dim: 8,
      n_layers: 2,
      n_heads: 2,
      hidden_dim: 16,
      max_position_embeddings: 16,
      activation: 'gelu',
      pad_token_id: 0,
    };
  }
  return {
    model_type: arch,
    vocab_size: 31,
    hidden_size: 8,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 16,
    hidden_act: 'gelu',
    max_position_embeddings: 16,
    type_vocab_size: arch === 'bert' ? 2 : 1,
    layer_norm_eps: arch === 'bert' ? 1e-12 : 1e-5,
    pad_token_id: arch === 'bert' ? 0 : 1,
  };
}

/**
 * Random weights for tinyConfig(arch), laid out as transformers' *ForSequenceClassification saves them,
 * every tensor random (LayerNorm scales around 1), so every gradient is non-trivial.
 */
export function tinyCheckpoint(arch: TinyArch, seed = 7, std = 0.3): TensorMap {
  const H = 8;
  const I = 16;
  const V = 31;
  const P = 16;
  const C = 3;
  const shapes: [string, number[]][] = [];
  const dense = (name: string, out: number, inp: number) =>
    shapes.push([`${name}.weight`, [out, inp]], [`${name}.bias`, [out]]);
  const norm = (name: string) => shapes.push([`${name}.weight`, [H]], [`${name}.bias`, [H]]);
  if (arch === 'distilbert') {
    shapes.push(['distilbert.embeddings.word_embeddings.weight', [V, H]]);
    shapes.push(['distilbert.embeddings.position_embeddings.weight', [P, H]]);
    norm('distilbert.embeddings.LayerNorm');
    for (let i = 0; i < 2; i++) {
      const L = `distilbert.transformer.layer.${i}.`;
      for (const n of ['q_lin', 'k_lin', 'v_lin', 'out_lin']) dense(`${L}attention.${n}`, H, H);
      norm(`${L}sa_layer_norm`);
      dense(`${L}ffn.lin1`, I, H);
      dense(`${L}ffn.lin2`, H, I);
      norm(`${L}output_layer_norm`);
    }
    dense('pre_classifier', H, H);
    dense('classifier', C, H);
  } else {
    const p = `${arch}.`;
    shapes.push([`${p}embeddings.word_embeddings.weight`, [V, H]]);
    shapes.push([`${p}embeddings.position_embeddings.weight`, [P, H]]);
    shapes.push([`${p}embeddings.token_type_embeddings.weight`, [arch === 'bert' ? 2 : 1, H]]);
    norm(`${p}embeddings.LayerNorm`);
    for (let i = 0; i < 2; i++) {
      const L = `${p}encoder.layer.${i}.`;
      for (const n of ['self.query', 'self.key', 'self.value', 'output.dense'])
        dense(`${L}attention.${n}`, H, H);
      norm(`${L}attention.output.LayerNorm`);
      dense(`${L}intermediate.dense`, I, H);
      dense(`${L}output.dense`, H, I);
      norm(`${L}output.LayerNorm`);
    }
    if (arch === 'bert') {
      dense('bert.pooler.dense', H, H);
      dense('classifier', C, H);
    } else {
      dense('classifier.dense', H, H);
      dense('classifier.out_proj', C, H);
    }
  }
  const map: TensorMap = new Map();
  shapes.forEach(([name, shape], i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const isScale = /(LayerNorm|layer_norm)\.weight$/.test(name);
    map.set(name, {
      shape,
      data: randomNormals(size, isScale ? 0.1 : std, seed * 1000 + i + 1, isScale ? 1 : 0),
    });
  });
  return map;
}

/** Token sequences of varied length over the tiny vocabulary (seeded); the label is whether token 5 occurs. */
export function tinyExamples(count: number, seed: number): TokenizedExample[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => {
    const length = 3 + Math.floor(next() * 8);
    const inputIds = [2, ...Array.from({ length: length - 2 }, () => 3 + Math.floor(next() * 28)), 1];
    return { inputIds, label: inputIds.includes(5) ? 1 : 0 };
  });
}

/** A batch for the tiny models: two sequences of 6, the second padded after 4 tokens. */
export function tinyInputs(arch: TinyArch): EncoderInputs {
  const pad = arch === 'roberta' ? 1 : 0;
  const ids = [
    [2, 5, 9, 17, 30, 3],
    [2, 11, 4, 3, pad, pad],
  ];
  return {
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(
      [
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0],
      ],
      undefined,
      'int32',
    ),
    tokenTypeIds: tf.tensor2d(
      [
        [0, 0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0, 0],
      ],
      undefined,
      'int32',
    ),
  };
}
