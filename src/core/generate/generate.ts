// Autoregressive generation with a KV cache: the prompt goes through the model once, then one token per step
// (its keys and values appended to the cache, the prefix never recomputed), each step choosing the next token
// from the last logits (greedy, or sampled with the warpers of sampling.ts), until max_new_tokens or an eos id.
import * as tf from '@tensorflow/tfjs';

import type { CausalLM } from '../models/causal-lm';
import { createRng } from '../random';
import { checkGenerationSettings, GenerationConfigError, type GenerationSettings } from './generation-config';
import { applyRepetitionPenalty, argmax, sampleToken } from './sampling';

export interface GenerateOptions extends Partial<GenerationSettings> {
  /** Called with each new token id as soon as it is chosen. */
  onToken?: (id: number) => void;
  /** Stops generation after the current step. */
  signal?: AbortSignal;
}

export interface GenerateResult {
  /** The new token ids (the prompt not included), the eos id included when generation stopped on it. */
  tokenIds: number[];
  /** `eos`: an end-of-sequence id was generated; `length`: max_new_tokens or the model's positions ran out. */
  finishReason: 'eos' | 'length' | 'aborted';
}

/**
 * The new tokens, one at a time, as they are made. `defaults` are the model's settings (from
 * modelGenerationSettings); `options` override them. The cache is freed when the iteration ends, also when
 * the caller stops early.
 */
export async function* generateTokens(
  model: CausalLM,
  promptIds: readonly number[],
  defaults: GenerationSettings,
  options: GenerateOptions = {},
): AsyncGenerator<number, GenerateResult> {
  const settings: GenerationSettings = { ...defaults, ...definedOnly(options) };
  checkGenerationSettings(settings);
  if (promptIds.length === 0) throw new GenerationConfigError('the prompt has no tokens');
  const vocab = model.dims.vocabSize;
  const bad = promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
  if (bad !== undefined)
    throw new GenerationConfigError(`token id ${bad} is outside the vocabulary (0…${vocab - 1})`);
  if (promptIds.length >= model.maxLength) {
    throw new GenerationConfigError(
      `the prompt has ${promptIds.length} tokens, and the model has room for ${model.maxLength}: nothing is left to generate`,
    );
  }
  const budget = Math.min(settings.maxNewTokens, model.maxLength - promptIds.length);
  const eos = new Set(settings.eosTokenIds);
  const rng = createRng(settings.seed ?? Math.floor(Math.random() * 2 ** 32));
  // Greedy without a penalty picks the arg-max on the device: one id comes back per step, not a vocabulary row.
  const onDevice = !settings.doSample && settings.repetitionPenalty === 1;
  const sequence = [...promptIds];
  const generated: number[] = [];
  const cache = model.newCache();
  let input = tf.tensor2d([[...promptIds]], undefined, 'int32');
  let finishReason: GenerateResult['finishReason'] = 'length';
  try {
    for (let step = 0; step < budget; step++) {
      const logits = model.nextTokenLogits({ inputIds: input }, { training: false, cache });
      input.dispose();
      let next: number;
      if (onDevice) {
        const best = tf.argMax(logits, -1);
        next = (await best.data())[0]!;
        tf.dispose([best, logits]);
      } else {
        const scores = (await logits.data()) as Float32Array;
        logits.dispose();
        applyRepetitionPenalty(scores, sequence, settings.repetitionPenalty);
        next = settings.doSample ? sampleToken(scores, settings, rng) : argmax(scores);
      }
      sequence.push(next);
      generated.push(next);
      options.onToken?.(next);
      yield next;
      if (eos.has(next)) {
        finishReason = 'eos';
        break;
      }
      if (options.signal?.aborted) {
        finishReason = 'aborted';
        break;
      }
      input = tf.tensor2d([[next]], undefined, 'int32');
    }
  } finally {
    if (!input.isDisposed) input.dispose();
    cache.dispose();
  }
  return { tokenIds: generated, finishReason };
}

/** generateTokens to its end: the new ids and why generation stopped. */
export async function generate(
  model: CausalLM,
  promptIds: readonly number[],
  defaults: GenerationSettings,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const iterator = generateTokens(model, promptIds, defaults, options);
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) return value;
  }
}

function definedOnly(options: GenerateOptions): Partial<GenerationSettings> {
  const out: Partial<GenerationSettings> = {};
  for (const key of [
    'maxNewTokens',
    'doSample',
    'temperature',
    'topK',
    'topP',
    'repetitionPenalty',
    'eosTokenIds',
    'seed',
  ] as const) {
    if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  }
  return out;
}
