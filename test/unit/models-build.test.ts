// Config parsing, checkpoint layouts, tensor names, head initialisation and input checks of the model engine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import type { TensorMap } from '../../src/core/hub/tensors';
import { ModelInputError, buildClassifier } from '../../src/core/models/build';
import { ModelConfigError, parseConfig } from '../../src/core/models/config';
import type { HFConfig, SequenceClassifier } from '../../src/core/models/types';
import { CheckpointError } from '../../src/core/models/weights';
import { sharedModelDir } from '../support/shared';
import {
  fixtureInputs,
  loadFixture,
  tinyCheckpoint,
  tinyConfig,
  tinyInputs,
  type TinyArch,
} from './models-fixtures';

function readConfig(id: string): HFConfig {
  return JSON.parse(readFileSync(join(sharedModelDir(id), 'config.json'), 'utf8')) as HFConfig;
}

async function logitsOf(
  model: SequenceClassifier,
  inputs = tinyInputs(model.architecture as TinyArch),
): Promise<number[]> {
  const out = model.forward(inputs, { training: false });
  const values = Array.from(await out.data());
  tf.dispose([out, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
  return values;
}

async function valuesOf(model: SequenceClassifier, name: string): Promise<Float32Array> {
  const v = model.variables.get(name);
  if (!v) throw new Error(`no variable ${name}`);
  return (await v.data()) as Float32Array;
}

function withoutPrefix(weights: TensorMap, prefix: string): TensorMap {
  return new Map([...weights].map(([k, v]) => [k.startsWith(prefix) ? k.slice(prefix.length) : k, v]));
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('parseConfig', () => {
  it('reads the dimensions of real BERT and MiniLM configs', () => {
    const tiny = parseConfig(readConfig('prajjwal1/bert-tiny'));
    expect(tiny).toMatchObject({ architecture: 'bert', hiddenSize: 128, numLayers: 2, numHeads: 2 });
    expect(tiny).toMatchObject({ intermediateSize: 512, activation: 'gelu', layerNormEps: 1e-12 });
    expect(tiny.classifierDropout).toBe(0.1); // classifier_dropout null → hidden_dropout_prob
    const minilm = parseConfig(readConfig('sentence-transformers/all-MiniLM-L6-v2'));
    expect(minilm).toMatchObject({ hiddenSize: 384, numLayers: 6, numHeads: 12, intermediateSize: 1536 });
  });

  it('reads DistilBERT and RoBERTa under their own field names and defaults', () => {
    const distil = parseConfig(readConfig('webtune/tiny-random-distilbert-cls'));
    expect(distil).toMatchObject({
      architecture: 'distilbert',
      hiddenSize: 64,
      numHeads: 4,
      intermediateSize: 256,
    });
    expect(distil).toMatchObject({ typeVocabSize: 0, classifierDropout: 0.2, sinusoidalPositions: false });
    const roberta = parseConfig(readConfig('webtune/tiny-random-roberta-cls'));
    expect(roberta).toMatchObject({
      architecture: 'roberta',
      padTokenId: 1,
      layerNormEps: 1e-5,
      maxPositions: 514,
    });
  });

  it('gives a decoder no encoder dimensions, naming what it is; buildClassifier takes it as GPT2ForSequenceClassification', () => {
    const gpt2 = readConfig('sshleifer/tiny-gpt2');
    expect(() => parseConfig(gpt2, 'sshleifer/tiny-gpt2')).toThrow(ModelConfigError);
    expect(() => parseConfig(gpt2, 'sshleifer/tiny-gpt2')).toThrow(
      /sshleifer\/tiny-gpt2 is a GPT-2 causal language model \(GPT2LMHeadModel\), not an encoder \(bert .*distilbert, roberta\): as a sequence classifier it is a GPT2ForSequenceClassification/,
    );
    // A decoder classifier (decoder-classifier.test.ts) reads the decoder's own tensors.
    expect(() => buildClassifier(gpt2, new Map(), { numLabels: 2, seed: 0, modelName: 'gpt' })).toThrow(
      /gpt: the checkpoint has no transformer\.wte\.weight/,
    );
  });

  it('refuses a model_type it cannot build, naming every supported one', () => {
    const t5 = { ...readConfig('sshleifer/tiny-gpt2'), model_type: 't5' };
    expect(() => parseConfig(t5, 'google/t5-small')).toThrow(
      /google\/t5-small has model_type "t5", which WebTune cannot build; supported: bert .*distilbert, roberta, gpt2, llama, qwen2/,
    );
  });

  it('names the field of a config it cannot build', () => {
    const base = tinyConfig('bert');
    expect(() => parseConfig({ ...base, model_type: '' })).toThrow(/no model_type/);
    expect(() => parseConfig({ ...base, num_attention_heads: 3 })).toThrow(
      /hidden size 8 is not a multiple of the 3/,
    );
    expect(() => parseConfig({ ...base, hidden_act: 'gelu_10' })).toThrow(
      /hidden_act = "gelu_10"; expected one of gelu/,
    );
    expect(() => parseConfig({ ...base, position_embedding_type: 'relative_key' })).toThrow(/relative_key/);
    expect(() => parseConfig({ ...base, hidden_size: '8' } as unknown as HFConfig)).toThrow(
      /hidden_size = "8"/,
    );
    expect(() => parseConfig({ ...base, hidden_dropout_prob: 1.5 })).toThrow(/hidden_dropout_prob = 1.5/);
  });
});

describe('buildClassifier: names and layouts', () => {
  it.each(['bert', 'distilbert', 'roberta'])(
    'names every variable exactly as the %s sequence-classification checkpoint does',
    async (arch) => {
      const fixture = loadFixture(`webtune/tiny-random-${arch}-cls`);
      const model = buildClassifier(fixture.config, fixture.weights, { numLabels: 3, seed: 0 });
      expect([...model.variables.keys()].sort()).toEqual([...fixture.weights.keys()].sort());
      for (const [name, variable] of model.variables) {
        expect(variable.shape, name).toEqual(fixture.weights.get(name)!.shape);
      }
      expect(model.loadReport).toEqual({ initialized: [], unused: [] });
      for (const name of [...model.headVariableNames, ...model.embeddingVariableNames]) {
        expect(model.variables.has(name), name).toBe(true);
      }
      expect(model.headVariableNames.every((n) => n.startsWith('classifier') || n.startsWith('pre_'))).toBe(
        true,
      );
      expect(model.embeddingVariableNames.every((n) => n.startsWith(`${arch}.embeddings.`))).toBe(true);
      expect(model.embeddingVariableNames).toContain(`${arch}.embeddings.word_embeddings.weight`);
      // The head reused from the checkpoint, not initialised.
      expect(Array.from(await valuesOf(model, model.headVariableNames[0]!))).toEqual(
        Array.from(fixture.weights.get(model.headVariableNames[0]!)!.data),
      );
      model.dispose();
    },
  );

  it('builds a classifier from an MLM checkpoint: cls.* unused, a new head initialised from the seed', async () => {
    const fixture = loadFixture('webtune/bert-tiny-mlm');
    const model = buildClassifier(fixture.config, fixture.weights, { numLabels: 4, seed: 42 });
    expect(model.loadReport?.initialized).toEqual(['classifier.weight', 'classifier.bias']);
    expect(model.loadReport?.unused.length).toBeGreaterThan(0);
    expect(model.loadReport?.unused.every((n) => n.startsWith('cls.'))).toBe(true);
    expect(model.headVariableNames).toEqual(['classifier.weight', 'classifier.bias']);
    expect(model.variables.get('classifier.weight')!.shape).toEqual([4, 128]);
    const w = await valuesOf(model, 'classifier.weight');
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    // normal(0, initializer_range = 0.02) over 512 values: the sample std is within a few % of 0.02.
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(Array.from(await valuesOf(model, 'classifier.bias'))).toEqual([0, 0, 0, 0]);

    const again = buildClassifier(fixture.config, fixture.weights, { numLabels: 4, seed: 42 });
    const other = buildClassifier(fixture.config, fixture.weights, { numLabels: 4, seed: 43 });
    expect(Array.from(await valuesOf(again, 'classifier.weight'))).toEqual(Array.from(w));
    expect(Array.from(await valuesOf(other, 'classifier.weight'))).not.toEqual(Array.from(w));
    [model, again, other].forEach((m) => m.dispose());
  });

  it.each([
    ['bert', 'bert.'],
    ['distilbert', 'distilbert.'],
    ['roberta', 'roberta.'],
  ] as const)('reads a %s checkpoint without the model prefix to the same logits', async (arch, prefix) => {
    const weights = tinyCheckpoint(arch);
    const prefixed = buildClassifier(tinyConfig(arch), weights, { numLabels: 3, seed: 0 });
    const bare = buildClassifier(tinyConfig(arch), withoutPrefix(weights, prefix), { numLabels: 3, seed: 0 });
    expect([...bare.variables.keys()].sort()).toEqual([...prefixed.variables.keys()].sort());
    expect(bare.loadReport).toEqual({ initialized: [], unused: [] });
    expect(await logitsOf(bare)).toEqual(await logitsOf(prefixed));
    prefixed.dispose();
    bare.dispose();
  });

  it('reads LayerNorm gamma/beta names of older BERT checkpoints', async () => {
    const weights = tinyCheckpoint('bert');
    const legacy: TensorMap = new Map(
      [...weights].map(([k, v]) => [
        k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
        v,
      ]),
    );
    expect(legacy.has('bert.embeddings.LayerNorm.gamma')).toBe(true);
    const a = buildClassifier(tinyConfig('bert'), weights, { numLabels: 3, seed: 0 });
    const b = buildClassifier(tinyConfig('bert'), legacy, { numLabels: 3, seed: 0 });
    expect(b.variables.has('bert.embeddings.LayerNorm.weight')).toBe(true);
    expect(await logitsOf(b)).toEqual(await logitsOf(a));
    a.dispose();
    b.dispose();
  });

  it('re-initialises only the head tensors whose label count differs, keeping the encoder', async () => {
    const weights = tinyCheckpoint('roberta');
    const model = buildClassifier(tinyConfig('roberta'), weights, { numLabels: 5, seed: 3 });
    expect(model.loadReport?.initialized).toEqual(['classifier.out_proj.weight', 'classifier.out_proj.bias']);
    expect(model.loadReport?.unused).toEqual(['classifier.out_proj.bias', 'classifier.out_proj.weight']);
    expect(model.variables.get('classifier.out_proj.weight')!.shape).toEqual([5, 8]);
    expect(Array.from(await valuesOf(model, 'classifier.dense.weight'))).toEqual(
      Array.from(weights.get('classifier.dense.weight')!.data),
    );
    expect((await logitsOf(model)).length).toBe(2 * 5);
    model.dispose();

    const bert = buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 2, seed: 3 });
    expect(bert.loadReport?.initialized).toEqual(['classifier.weight', 'classifier.bias']);
    bert.dispose();
  });

  it('initialises a missing BERT pooler as transformers does, and reports it', () => {
    const weights = tinyCheckpoint('bert');
    weights.delete('bert.pooler.dense.weight');
    weights.delete('bert.pooler.dense.bias');
    const model = buildClassifier(tinyConfig('bert'), weights, { numLabels: 3, seed: 0 });
    expect(model.loadReport?.initialized).toEqual(['bert.pooler.dense.weight', 'bert.pooler.dense.bias']);
    model.dispose();
  });

  it('names a missing or misshapen encoder tensor', () => {
    const missing = tinyCheckpoint('distilbert');
    missing.delete('distilbert.transformer.layer.1.ffn.lin2.weight');
    expect(() =>
      buildClassifier(tinyConfig('distilbert'), missing, { numLabels: 3, seed: 0, modelName: 'me/tiny' }),
    ).toThrow(CheckpointError);
    expect(() =>
      buildClassifier(tinyConfig('distilbert'), missing, { numLabels: 3, seed: 0, modelName: 'me/tiny' }),
    ).toThrow(/me\/tiny: the checkpoint has no distilbert\.transformer\.layer\.1\.ffn\.lin2\.weight/);
    const badPooler = tinyCheckpoint('bert');
    badPooler.set('bert.pooler.dense.bias', { shape: [4], data: new Float32Array(4) });
    expect(() => buildClassifier(tinyConfig('bert'), badPooler, { numLabels: 3, seed: 0 })).toThrow(
      /bert\.pooler\.dense\.bias has shape \[4\] but config\.json implies \[8\]/,
    );
    const config = { ...tinyConfig('bert'), intermediate_size: 32 };
    expect(() => buildClassifier(config, tinyCheckpoint('bert'), { numLabels: 3, seed: 0 })).toThrow(
      /bert\.encoder\.layer\.0\.intermediate\.dense\.weight has shape \[16, 8\] but config\.json implies \[32, 8\]/,
    );
  });

  it('frees every variable of a model that fails to build', () => {
    const before = tf.memory().numTensors;
    const missing = tinyCheckpoint('bert');
    missing.delete('bert.encoder.layer.1.output.LayerNorm.bias');
    expect(() => buildClassifier(tinyConfig('bert'), missing, { numLabels: 3, seed: 0 })).toThrow(
      /LayerNorm\.bias/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('buildClassifier: semantics', () => {
  it('DistilBERT ignores token type ids; BERT does not', async () => {
    for (const [arch, ignores] of [
      ['distilbert', true],
      ['bert', false],
    ] as const) {
      const model = buildClassifier(tinyConfig(arch), tinyCheckpoint(arch), { numLabels: 3, seed: 0 });
      const withTypes = await logitsOf(model);
      const inputs = tinyInputs(arch);
      tf.dispose(inputs.tokenTypeIds);
      const withoutTypes = await logitsOf(model, { ...inputs, tokenTypeIds: undefined });
      if (ignores) expect(withTypes).toEqual(withoutTypes);
      else expect(withTypes).not.toEqual(withoutTypes);
      model.dispose();
    }
  });

  it('computes DistilBERT sinusoidal positions when the checkpoint has none, and never trains them', async () => {
    const weights = tinyCheckpoint('distilbert');
    weights.delete('distilbert.embeddings.position_embeddings.weight');
    const model = buildClassifier({ ...tinyConfig('distilbert'), sinusoidal_pos_embds: true }, weights, {
      numLabels: 3,
      seed: 0,
    });
    const table = model.variables.get('distilbert.embeddings.position_embeddings.weight')!;
    expect(table.trainable).toBe(false);
    const v = (await table.data()) as Float32Array;
    // position 0: sin 0 = 0 on even columns, cos 0 = 1 on odd; position 3, column 2: sin(3 / 10000^(2/8)).
    expect(Array.from(v.slice(0, 4))).toEqual([0, 1, 0, 1]);
    expect(v[3 * 8 + 2]).toBeCloseTo(Math.sin(3 / 10), 6);
    expect(v[3 * 8 + 3]).toBeCloseTo(Math.cos(3 / 10), 6);
    expect(v[5 * 8 + 7]).toBeCloseTo(Math.cos(5 / 10000 ** (6 / 8)), 6);
    model.dispose();
  });

  it('refuses inputs longer than the position table, and misshapen inputs, with the reason', () => {
    const model = buildClassifier(tinyConfig('roberta'), tinyCheckpoint('roberta'), {
      numLabels: 3,
      seed: 0,
      modelName: 'tiny-roberta',
    });
    const ids = tf.ones([1, 15], 'int32') as tf.Tensor2D;
    // RoBERTa positions start after pad_token_id 1: 16 positions hold sequences of 14.
    expect(() => model.forward({ inputIds: ids, attentionMask: ids }, { training: false })).toThrow(
      ModelInputError,
    );
    expect(() => model.forward({ inputIds: ids, attentionMask: ids }, { training: false })).toThrow(
      /tiny-roberta: sequences of 15 tokens are longer than the model's 14 positions/,
    );
    const mask = tf.ones([1, 14], 'int32') as tf.Tensor2D;
    expect(() => model.forward({ inputIds: ids, attentionMask: mask }, { training: false })).toThrow(
      /attention mask have shape \[1, 14\] but the input ids have \[1, 15\]/,
    );
    const floats = tf.ones([1, 4]) as tf.Tensor2D;
    expect(() => model.forward({ inputIds: floats, attentionMask: floats }, { training: false })).toThrow(
      /int32/,
    );
    tf.dispose([ids, mask, floats]);
    model.dispose();
  });

  it('gives each padded sequence the same logits as its unpadded self', async () => {
    // A masked key must not change the result (the attention mask), and RoBERTa positions must not count pads.
    for (const arch of ['bert', 'distilbert', 'roberta'] as const) {
      const model = buildClassifier(tinyConfig(arch), tinyCheckpoint(arch), { numLabels: 3, seed: 0 });
      const padded = await logitsOf(model);
      const short = tinyInputs(arch);
      const cut = (t: tf.Tensor2D) => tf.slice(t, [1, 0], [1, 4]) as tf.Tensor2D;
      const alone = await logitsOf(model, {
        inputIds: cut(short.inputIds),
        attentionMask: cut(short.attentionMask),
        tokenTypeIds: cut(short.tokenTypeIds!),
      });
      tf.dispose([short.inputIds, short.attentionMask, short.tokenTypeIds]);
      for (let j = 0; j < 3; j++) expect(Math.abs(alone[j]! - padded[3 + j]!), arch).toBeLessThan(1e-6);
      model.dispose();
    }
  });

  it('puts a new head on the pooled output: logits = pooler_output · Wᵀ + b, from the reference', async () => {
    const fixture = loadFixture('webtune/bert-tiny-mlm');
    const model = buildClassifier(fixture.config, fixture.weights, { numLabels: 7, seed: 9 });
    const inputs = fixtureInputs(fixture.reference);
    const logits = model.forward(inputs, { training: false });
    expect(logits.shape).toEqual([5, 7]);
    const got = await logits.data();
    const w = await valuesOf(model, 'classifier.weight');
    const pooled = fixture.reference.pooler_output!;
    let worst = 0;
    pooled.forEach((row, b) => {
      for (let c = 0; c < 7; c++) {
        const expected = row.reduce((sum, x, j) => sum + x * w[c * 128 + j]!, 0); // the bias is 0
        worst = Math.max(worst, Math.abs(got[b * 7 + c]! - expected));
      }
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([logits, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
    model.dispose();
  });
});
