// GPT-2, Llama and Qwen2 against transformers (reference.json of each tiny random fixture) on cpu and wasm:
// hidden states at every position (padding included), logits, next-token log-probabilities and the causal-LM
// loss of a right-padded batch, the left-padded batch's last logits, arg-max ids.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  buildFixture,
  DECODER_FIXTURES,
  formatDecoderMeasured,
  loadDecoderFixture,
  measureDecoder,
} from './decoder-fixtures';

const TOLERANCE = 1e-4;
const table: string[] = [];

describe.each(['cpu', 'wasm'] as const)('decoders against transformers on %s', (backend) => {
  it.each(DECODER_FIXTURES)('%s', async (id) => {
    await initBackend({ prefer: backend });
    expect(tf.getBackend()).toBe(backend);
    const fixture = loadDecoderFixture(id);
    const model = buildFixture(fixture);
    expect(model.loadReport.initialized).toEqual([]);
    const before = tf.memory().numTensors;
    const measured = await measureDecoder(model, fixture.reference);
    expect(tf.memory().numTensors).toBe(before);
    table.push(`${id} × ${backend}: ${formatDecoderMeasured(measured)}`);
    expect(measured.lastHiddenState).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.logitsAtVocabSample).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.nextTokenLogprob).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.loss).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.leftPaddedLastLogits).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.leftPaddedAsGenerate).toBeLessThanOrEqual(TOLERANCE);
    expect(measured.argmaxMismatches).toBe(0);
    model.dispose();
  });
});

afterAll(() => {
  console.log(`decoders, max |diff| against reference.json:\n${table.join('\n')}`);
});
