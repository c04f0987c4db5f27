// The decoders against transformers on a real WebGPU device (Dawn): every fixture's hidden states, logits,
// next-token log-probabilities, loss and left-padded last logits within 1e-4, and greedy_16 with the KV cache
// for the Llama fixture (its shortest prompt: SwiftShader is slow), alone and with another in one batch.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { generate, generateBatch, GENERATION_DEFAULTS } from '../../src/core/generate';
import {
  buildFixture,
  DECODER_FIXTURES,
  formatDecoderMeasured,
  loadDecoderFixture,
  measureDecoder,
} from '../unit/decoder-fixtures';

const TOLERANCE = 1e-4;
const table: string[] = [];

describe('decoders against transformers on webgpu', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
  });

  it.each(DECODER_FIXTURES)('%s', async (id) => {
    const fixture = loadDecoderFixture(id);
    const model = buildFixture(fixture);
    const measured = await measureDecoder(model, fixture.reference);
    table.push(`${id} × webgpu: ${formatDecoderMeasured(measured)}`);
    expect(measured.lastHiddenState).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.logitsAtVocabSample).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.nextTokenLogprob).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.loss).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.leftPaddedLastLogits).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.leftPaddedAsGenerate).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.argmaxMismatches).toBe(0);
    model.dispose();
  });

  it('webtune/tiny-random-llama: greedy_16 with the KV cache, token for token', async () => {
    const fixture = loadDecoderFixture('webtune/tiny-random-llama');
    const model = buildFixture(fixture);
    const { reference } = fixture;
    const before = tf.memory().numTensors;
    for (const p of [4]) {
      const prompt = reference.input_ids[p]!.filter((_, i) => reference.attention_mask[p]![i] === 1);
      const result = await generate(
        model,
        prompt,
        { ...GENERATION_DEFAULTS, eosTokenIds: [] },
        { maxNewTokens: 16 },
      );
      expect(result.tokenIds).toEqual(reference.greedy_16[p]);
    }
    expect(tf.memory().numTensors).toBe(before);
    table.push('webtune/tiny-random-llama × webgpu: greedy_16 identical for prompt 4');
    model.dispose();
  });

  it('webtune/tiny-random-llama: two prompts of different lengths in one left-padded batch', async () => {
    const fixture = loadDecoderFixture('webtune/tiny-random-llama');
    const model = buildFixture(fixture);
    const { reference } = fixture;
    const picked = [4, 0];
    const prompts = picked.map((p) =>
      reference.input_ids[p]!.filter((_, i) => reference.attention_mask[p]![i] === 1),
    );
    expect(prompts[0]!.length).not.toBe(prompts[1]!.length);
    const before = tf.memory().numTensors;
    const rows = await generateBatch(
      model,
      prompts,
      { ...GENERATION_DEFAULTS, eosTokenIds: [] },
      { maxNewTokens: 16 },
    );
    expect(rows.map((r) => r.tokenIds)).toEqual(picked.map((p) => reference.greedy_16[p]));
    expect(tf.memory().numTensors).toBe(before);
    table.push('webtune/tiny-random-llama × webgpu: greedy_16 identical for prompts 4 and 0 in one batch');
    model.dispose();
  });

  afterAll(() => {
    console.log(`decoders on webgpu, max |diff| against reference.json:\n${table.join('\n')}`);
  });
});
