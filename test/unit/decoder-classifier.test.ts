// The decoders as sequence classifiers (GPT2ForSequenceClassification, LlamaForSequenceClassification,
// Qwen2ForSequenceClassification) against the real transformers 5.18, live (decoder-classifier-fixtures.ts,
// test/python/decoder_seqcls.py): transformers loads each tiny random fixture with AutoModelForSequenceClassification
// and WebTune's own seeded `score` weights (torch's RNG cannot make the same ones), then computes the logits of a
// right-padded batch (rows of different lengths, one holding the pad id inside its text, where "rightmost non-pad
// token" and "token before the first pad" differ) and the losses of five AdamW steps; WebTune builds the
// classifier with buildClassifier and trains it with the trainer and the sequence-classification task, on cpu and
// wasm. Also what the classifier is made of: save_pretrained's names, no lm_head, the pad token, the new score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { DECODER_FIXTURES, loadDecoderFixture } from './decoder-fixtures';
import {
  buildFixtureClassifier,
  CLASS_NAMES,
  decoderClassifierReference,
  measureDecoderClassifier,
  NUM_LABELS,
  STEPS,
  type DecoderClassifierReference,
} from './decoder-classifier-fixtures';

const expected = new Map<string, DecoderClassifierReference>();
const report: string[] = [];

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  for (const id of DECODER_FIXTURES) expected.set(id, await decoderClassifierReference(id));
}, 300_000);

afterAll(() => console.log(report.join('\n')));

describe('a decoder as a sequence classifier: what it is made of', () => {
  it.each(DECODER_FIXTURES)('%s: names, pad token, the new score', async (id) => {
    await initBackend({ prefer: 'cpu' });
    const fixture = loadDecoderFixture(id);
    const model = buildFixtureClassifier(fixture);
    const prefix = fixture.config.model_type === 'gpt2' ? 'transformer.' : 'model.';
    const names = [...model.variables.keys()];
    expect(names).toContain('score.weight');
    expect(names.filter((n) => n !== 'score.weight').every((n) => n.startsWith(prefix))).toBe(true);
    expect(names.some((n) => n.startsWith('lm_head'))).toBe(false);
    expect(model.variables.get('score.weight')!.shape).toEqual([
      NUM_LABELS,
      fixture.config.n_embd ?? fixture.config.hidden_size,
    ]);
    expect(model.headVariableNames).toEqual(['score.weight']);
    expect(model.loadReport?.initialized).toEqual(['score.weight']);
    // GPT-2's config has pad_token_id null: eos stands in, as `model.config.pad_token_id = tokenizer.eos_token_id`.
    expect(model.config.pad_token_id).toBe(
      fixture.config.model_type === 'gpt2' ? 50256 : fixture.config.pad_token_id,
    );
    // normal(0, initializer_range) from the seed: the same seed gives the same score.
    const again = buildFixtureClassifier(fixture);
    const a = await model.variables.get('score.weight')!.data();
    expect(Array.from(await again.variables.get('score.weight')!.data())).toEqual(Array.from(a));
    const std = Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0) / a.length);
    expect(std).toBeGreaterThan(0.01);
    expect(std).toBeLessThan(0.03);
    again.dispose();
    model.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('decoder classifiers against transformers 5.18 on %s', (backend) => {
  it.each(DECODER_FIXTURES)(
    '%s: padded-batch logits within 1e-5, five AdamW steps within 1e-4 relative',
    { timeout: 240_000 },
    async (id) => {
      await initBackend({ prefer: backend });
      const reference = expected.get(id)!;
      expect(reference.architecture).toBe(CLASS_NAMES[loadDecoderFixture(id).config.model_type]);
      const m = await measureDecoderClassifier(id, reference);
      report.push(
        `decoder classifier ${id} × ${backend}: logits max |diff| ${m.logitsDiff.toExponential(2)}; ` +
          `losses ${m.losses.map((l) => l.toFixed(6)).join(', ')} (transformers ${reference.losses.map((l) => l.toFixed(6)).join(', ')}), ` +
          `worst relative diff ${m.worstLossRelative.toExponential(2)}`,
      );
      expect(m.steps).toBe(STEPS);
      expect(m.logitsDiff).toBeLessThanOrEqual(1e-5);
      expect(m.losses).toHaveLength(STEPS);
      expect(m.worstLossRelative).toBeLessThanOrEqual(1e-4);
      // Memory is flat from step to step: nothing of a step outlives it.
      expect(new Set(m.tensorCounts.slice(1)).size).toBe(1);
    },
  );
});
