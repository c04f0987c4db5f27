// Generation against transformers: greedy 16-token continuations of each fixture's prompts (reference.json's
// greedy_16) on cpu and wasm; the KV-cache path gives the logits of a full recompute; seeded sampling repeats;
// eos stops; memory stays flat over many calls; the chat template renders transformers' ids.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import {
  generate,
  generateBatch,
  generateTokens,
  GENERATION_DEFAULTS,
  modelGenerationSettings,
  TextStream,
  type GenerationSettings,
} from '../../src/core/generate';
import type { CausalLM } from '../../src/core/models/causal-lm';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import { createRng } from '../../src/core/random';
import { sampleToken, warpedDistribution, applyRepetitionPenalty } from '../../src/core/generate/sampling';
import { buildFixture, DECODER_FIXTURES, loadDecoderFixture } from './decoder-fixtures';
import { maxAbsDiff } from './models-fixtures';

const report: string[] = [];
afterAll(() => console.log(report.join('\n')));

const greedy = (eos: number[] = []): GenerationSettings => ({ ...GENERATION_DEFAULTS, eosTokenIds: eos });

function unpadded(ids: number[], mask: number[]): number[] {
  return ids.filter((_, i) => mask[i] === 1);
}

describe.each(['cpu', 'wasm'] as const)('greedy decoding with the KV cache on %s', (backend) => {
  it.each(DECODER_FIXTURES)('%s: greedy_16 token for token', async (id) => {
    await initBackend({ prefer: backend });
    const fixture = loadDecoderFixture(id);
    const model = buildFixture(fixture);
    const before = tf.memory().numTensors;
    const { reference } = fixture;
    let mismatches = 0;
    for (let p = 0; p < reference.prompts.length; p++) {
      const prompt = unpadded(reference.input_ids[p]!, reference.attention_mask[p]!);
      const result = await generate(model, prompt, greedy(), { maxNewTokens: 16 });
      expect(result.tokenIds).toEqual(reference.greedy_16[p]);
      expect(result.finishReason).toBe('length');
      if (result.tokenIds.join() !== reference.greedy_16[p]!.join()) mismatches++;
    }
    expect(tf.memory().numTensors).toBe(before);
    report.push(
      `greedy_16 ${id} × ${backend}: ${reference.prompts.length - mismatches}/${reference.prompts.length} prompts identical`,
    );
    model.dispose();
  });

  it.each(DECODER_FIXTURES)(
    '%s: every prompt in one left-padded batch, greedy_16 of each alone',
    async (id) => {
      await initBackend({ prefer: backend });
      const fixture = loadDecoderFixture(id);
      const model = buildFixture(fixture);
      const { reference } = fixture;
      const prompts = reference.input_ids.map((ids, p) => unpadded(ids, reference.attention_mask[p]!));
      expect(new Set(prompts.map((p) => p.length)).size).toBeGreaterThan(1);
      const before = tf.memory().numTensors;
      const streamed: number[][] = prompts.map(() => []);
      const results = await generateBatch(model, prompts, greedy(), {
        maxNewTokens: 16,
        onToken: (row, token) => streamed[row]!.push(token),
      });
      expect(results.map((r) => r.tokenIds)).toEqual(reference.greedy_16);
      expect(streamed).toEqual(reference.greedy_16);
      expect(results.every((r) => r.finishReason === 'length')).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      report.push(`greedy_16 ${id} × ${backend}, ${prompts.length} prompts in one batch: identical`);
      model.dispose();
    },
  );
});

/** The logits of every position by one full forward, and the same through the cache one token at a time. */
async function cachedAgainstFull(model: CausalLM, ids: number[]): Promise<number> {
  const full = tf.tidy(() => {
    const hidden = model.hiddenStates(
      { inputIds: tf.tensor2d([ids], undefined, 'int32') },
      { training: false },
    );
    return model.logits(hidden);
  });
  const cache = model.newCache();
  const steps: Float32Array[] = [];
  // A prefix of three tokens at once, then one at a time.
  const chunks = [ids.slice(0, 3), ...ids.slice(3).map((t) => [t])];
  for (const chunk of chunks) {
    const inputIds = tf.tensor2d([chunk], undefined, 'int32');
    const hidden = model.hiddenStates({ inputIds }, { training: false, cache });
    const logits = model.logits(hidden);
    steps.push((await logits.data()) as Float32Array);
    tf.dispose([inputIds, hidden, logits]);
  }
  cache.dispose();
  const joined = new Float32Array(steps.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of steps) {
    joined.set(s, offset);
    offset += s.length;
  }
  const diff = maxAbsDiff(joined, Array.from(await full.data()));
  full.dispose();
  return diff;
}

describe('the KV cache, sampling and stopping (cpu)', () => {
  it.each(DECODER_FIXTURES)('%s: cached logits equal a full recompute', async (id) => {
    await initBackend({ prefer: 'cpu' });
    const fixture = loadDecoderFixture(id);
    const model = buildFixture(fixture);
    const ids = unpadded(fixture.reference.input_ids[0]!, fixture.reference.attention_mask[0]!);
    const before = tf.memory().numTensors;
    const diff = await cachedAgainstFull(model, ids);
    expect(tf.memory().numTensors).toBe(before);
    report.push(`KV cache vs full recompute ${id}: max |diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it('seeded sampling gives the same tokens twice, another seed others; memory flat over many calls', async () => {
    await initBackend({ prefer: 'cpu' });
    const fixture = loadDecoderFixture('webtune/tiny-random-llama');
    const model = buildFixture(fixture);
    const prompt = [464, 3807, 373];
    const sampled = (seed: number) =>
      generate(model, prompt, greedy(), {
        doSample: true,
        temperature: 1.5,
        topK: 0,
        topP: 0.95,
        seed,
        maxNewTokens: 12,
      });
    const warm = await sampled(1);
    const before = tf.memory().numTensors;
    const again = await sampled(1);
    const other = await sampled(2);
    for (let i = 0; i < 5; i++) await sampled(10 + i);
    expect(tf.memory().numTensors).toBe(before);
    expect(again.tokenIds).toEqual(warm.tokenIds);
    expect(other.tokenIds).not.toEqual(warm.tokenIds);
    model.dispose();
  });

  it('stops on any eos id (one id or a list, generation_config.json over config.json) and when the caller breaks', async () => {
    await initBackend({ prefer: 'cpu' });
    const fixture = loadDecoderFixture('webtune/tiny-random-gpt2');
    const model = buildFixture(fixture);
    const prompt = unpadded(fixture.reference.input_ids[0]!, fixture.reference.attention_mask[0]!);
    const expected = fixture.reference.greedy_16[0]!;
    const third = expected[2]!;
    const stopped = await generate(model, prompt, greedy([999_999, third]), { maxNewTokens: 16 });
    expect(stopped).toEqual({
      tokenIds: expected.slice(0, expected.indexOf(third) + 1),
      finishReason: 'eos',
    });
    const fromFile = modelGenerationSettings({ eos_token_id: [expected[0]] }, model.dims, 'gpt2');
    expect(fromFile.eosTokenIds).toEqual([expected[0]]);
    expect(modelGenerationSettings(undefined, model.dims, 'gpt2').eosTokenIds).toEqual([50256]);
    const before = tf.memory().numTensors;
    const streamed: number[] = [];
    for await (const token of generateTokens(model, prompt, greedy(), { maxNewTokens: 16 })) {
      streamed.push(token);
      if (streamed.length === 4) break;
    }
    expect(streamed).toEqual(expected.slice(0, 4));
    expect(tf.memory().numTensors).toBe(before);
    // In a batch, a row that meets its eos stops there while the others go on to their own end.
    const other = unpadded(fixture.reference.input_ids[1]!, fixture.reference.attention_mask[1]!);
    const rows = await generateBatch(model, [prompt, other], greedy([third]), { maxNewTokens: 16 });
    expect(rows[0]).toEqual(stopped);
    expect(rows[1]).toEqual(await generate(model, other, greedy([third]), { maxNewTokens: 16 }));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a prompt that fills the context, and bad settings, with one clear message', async () => {
    await initBackend({ prefer: 'cpu' });
    const model = buildFixture(loadDecoderFixture('webtune/tiny-random-gpt2'));
    await expect(generate(model, new Array(256).fill(13), greedy())).rejects.toThrow(
      /256 tokens.*room for 256/,
    );
    await expect(generate(model, [13], greedy(), { topP: 0 })).rejects.toThrow(/top_p must be in \(0, 1\]/);
    await expect(generate(model, [60000], greedy())).rejects.toThrow(
      /token id 60000 is outside the vocabulary/,
    );
    model.dispose();
  });
});

describe('warpers and the repetition penalty follow transformers', () => {
  it('repetition penalty divides positive and multiplies negative scores of seen tokens, once each', () => {
    const scores = Float32Array.from([2, -2, 1, 0.5]);
    applyRepetitionPenalty(scores, [0, 1, 1], 2);
    expect(Array.from(scores)).toEqual([1, -4, 1, 0.5]);
  });

  it('top-k keeps ties with the k-th score; top-p keeps the smallest set above p; temperature sharpens', () => {
    const scores = Float32Array.from([1, 3, 3, 0, 2]);
    expect(warpedDistribution(scores, { temperature: 1, topK: 2, topP: 1 }).ids.sort()).toEqual([1, 2]);
    expect(warpedDistribution(scores, { temperature: 1, topK: 3, topP: 1 }).ids.sort()).toEqual([1, 2, 4]);
    // softmax of [1,3,3,0,2]: ids 1 and 2 hold 0.70 together, with id 4 0.96.
    expect(warpedDistribution(scores, { temperature: 1, topK: 0, topP: 0.6 }).ids.sort()).toEqual([1, 2]);
    expect(warpedDistribution(scores, { temperature: 1, topK: 0, topP: 0.9 }).ids.sort()).toEqual([1, 2, 4]);
    const cold = warpedDistribution(scores, { temperature: 0.1, topK: 0, topP: 1 });
    expect(Math.max(...cold.probs)).toBeGreaterThan(0.49);
    const rng = createRng(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const t = sampleToken(scores, { temperature: 1, topK: 0, topP: 1 }, rng);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    // id 4 has probability e² / (e + 2e³ + 1 + e²) ≈ 0.1586.
    expect((counts.get(4) ?? 0) / 4000).toBeCloseTo(0.1586, 1);
  });
});

describe('chat templates', () => {
  it.each(['webtune/tiny-random-llama', 'webtune/tiny-random-qwen2'])(
    '%s: apply_chat_template(add_generation_prompt=True) gives transformers’ text and ids',
    (id) => {
      const fixture = loadDecoderFixture(id);
      const files: Record<string, string> = {};
      for (const name of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']) {
        try {
          files[name] = readFileSync(join(fixture.dir, name), 'utf8');
        } catch {
          // absent: the Qwen2 fixture keeps its template in tokenizer_config.json
        }
      }
      const tokenizer = loadTokenizer(files, { model: id });
      const chat = fixture.reference.chat!;
      const rendered = tokenizer.applyChatTemplate(chat.messages, true);
      expect(rendered.text).toBe(chat.text);
      expect(rendered.ids).toEqual(chat.input_ids);
      const stream = new TextStream(tokenizer, false);
      const text = rendered.ids.map((t) => stream.push(t)).join('') + stream.flush();
      expect(text).toBe(chat.text);
    },
  );

  it('a tokenizer without a template is refused, not given a default', () => {
    const fixture = loadDecoderFixture('webtune/tiny-random-gpt2');
    const files = {
      'tokenizer.json': readFileSync(join(fixture.dir, 'tokenizer.json'), 'utf8'),
      'tokenizer_config.json': readFileSync(join(fixture.dir, 'tokenizer_config.json'), 'utf8'),
    };
    const tokenizer = loadTokenizer(files, { model: 'gpt2' });
    expect(tokenizer.chatTemplate).toBeUndefined();
    expect(() => tokenizer.applyChatTemplate([{ role: 'user', content: 'hi' }])).toThrow(
      /has no chat template/,
    );
  });
});
