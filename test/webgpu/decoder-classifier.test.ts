// A decoder as a sequence classifier on a real WebGPU device (Dawn; SwiftShader here): the same checks as
// test/unit/decoder-classifier.test.ts against the live transformers 5.18, within 1e-4 (logits) and 1e-4
// relative (five AdamW steps), as the other webgpu decoder tests. GPT-2 alone: what the classifier adds to a
// decoder (the pooling at the last non-pad token, the score) is the same ops for every architecture, and each
// architecture's trunk is checked on WebGPU in decoders.test.ts (SwiftShader makes every fixture a CI minute).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  decoderClassifierReference,
  measureDecoderClassifier,
  STEPS,
} from '../unit/decoder-classifier-fixtures';

const table: string[] = [];

describe('decoder classifiers against transformers on webgpu', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
  });
  afterAll(() => console.log(table.join('\n')));

  it.each(['webtune/tiny-random-gpt2'])('%s', { timeout: 300_000 }, async (id) => {
    const reference = await decoderClassifierReference(id);
    const m = await measureDecoderClassifier(id, reference);
    table.push(
      `decoder classifier ${id} × webgpu: logits max |diff| ${m.logitsDiff.toExponential(2)}; ` +
        `worst loss relative diff ${m.worstLossRelative.toExponential(2)}`,
    );
    expect(m.steps).toBe(STEPS);
    expect(m.logitsDiff).toBeLessThanOrEqual(1e-4);
    expect(m.worstLossRelative).toBeLessThanOrEqual(1e-4);
  });
});
