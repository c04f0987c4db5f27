// Autoregressive generation with a KV cache: the prompt goes through the model once, then one token per step
// (its keys and values appended to the cache, the prefix never recomputed), each step choosing the next token
// from the last logits (greedy, or sampled with the warpers of sampling.ts), until max_new_tokens or an eos id.
// Several prompts run as one left-padded batch, as transformers' generate with padding_side='left': positions
// count from each row's first real token, and a row that has finished is fed padding (masked in, as
// transformers does, which leaves the other rows unchanged) until every row is done.
import * as tf from '@tensorflow/tfjs';

import type { CausalLM } from '../models/causal-lm';
import { positionIds } from '../models/decoder';
import { createRng } from '../random';
import { checkGenerationSettings, GenerationConfigError, type GenerationSettings } from './generation-config';
import { applyRepetitionPenalty, argmax, sampleToken } from './sampling';

export interface GenerateOptions extends Partial<GenerationSettings> {
  /** Called with each new token id as soon as it is chosen. */
  onToken?: (id: number) => void;
  /** Stops generation after the current step. */
  signal?: AbortSignal;
}

export interface BatchGenerateOptions extends Omit<GenerateOptions, 'onToken'> {
  /** Called with each new token id of prompt `row` as soon as it is chosen. */
  onToken?: (row: number, id: number) => void;
  /**
   * The id the left padding is made of (the tokenizer's pad token, as transformers pads the batch); by default
   * the model's pad_token_id, else its first eos id. It is never attended to, but the repetition penalty counts
   * it, as transformers' does.
   */
  padTokenId?: number;
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
  const steps = decodeBatch(model, [promptIds], defaults, options);
  try {
    for (;;) {
      const { value, done } = await steps.next();
      if (done) return value[0]!;
      const id = value[0];
      if (id === undefined) continue;
      options.onToken?.(id);
      yield id;
    }
  } finally {
    await steps.return([]);
  }
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

/**
 * Several prompts at once, left-padded into one batch: each row's result is the one generate() gives for that
 * prompt alone (greedy: the same tokens). Sampling draws the rows' tokens in row order from one seeded
 * generator, so a seed repeats the whole batch.
 */
export async function generateBatch(
  model: CausalLM,
  prompts: readonly (readonly number[])[],
  defaults: GenerationSettings,
  options: BatchGenerateOptions = {},
): Promise<GenerateResult[]> {
  const steps = decodeBatch(model, prompts, defaults, options);
  for (;;) {
    const { value, done } = await steps.next();
    if (done) return value;
    value.forEach((id, row) => {
      if (id !== undefined) options.onToken?.(row, id);
    });
  }
}

/**
 * The decoding loop: yields each step's new token per row (undefined for a row that had already finished) and
 * returns every row's result. The cache and the step's tensors are freed when it ends, also on return().
 */
async function* decodeBatch(
  model: CausalLM,
  prompts: readonly (readonly number[])[],
  defaults: GenerationSettings,
  options: Omit<BatchGenerateOptions, 'onToken'>,
): AsyncGenerator<(number | undefined)[], GenerateResult[]> {
  const settings: GenerationSettings = { ...defaults, ...definedOnly(options) };
  checkGenerationSettings(settings);
  if (prompts.length === 0) throw new GenerationConfigError('there are no prompts');
  const vocab = model.dims.vocabSize;
  prompts.forEach((promptIds, row) => {
    const which = prompts.length > 1 ? `prompt ${row + 1}` : 'the prompt';
    if (promptIds.length === 0) throw new GenerationConfigError(`${which} has no tokens`);
    const bad = promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
    if (bad !== undefined)
      throw new GenerationConfigError(`token id ${bad} is outside the vocabulary (0…${vocab - 1})`);
    if (promptIds.length >= model.maxLength) {
      throw new GenerationConfigError(
        `${which} has ${promptIds.length} tokens, and the model has room for ${model.maxLength}: nothing is left to generate`,
      );
    }
  });
  const batch = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const budget = Math.min(settings.maxNewTokens, model.maxLength - width);
  const eos = new Set(settings.eosTokenIds);
  const rng = createRng(settings.seed ?? Math.floor(Math.random() * 2 ** 32));
  // Greedy without a penalty picks the arg-max on the device: one id per row comes back, not vocabulary rows.
  const onDevice = !settings.doSample && settings.repetitionPenalty === 1;
  // What padding and finished rows are fed: never attended to by a real token of another row. Only a batch of
  // several rows feeds it, so one prompt never fails on it (an eos list may hold ids past the vocabulary).
  const pad =
    options.padTokenId ??
    model.dims.padTokenId ??
    settings.eosTokenIds.find((id) => Number.isInteger(id) && id >= 0 && id < vocab) ??
    0;
  if (batch > 1 && (!Number.isInteger(pad) || pad < 0 || pad >= vocab))
    throw new GenerationConfigError(`the padding token id ${pad} is outside the vocabulary (0…${vocab - 1})`);
  const padded = prompts.some((p) => p.length < width);
  const rows = prompts.map((p) => [...new Array<number>(width - p.length).fill(pad), ...p]);
  // What the repetition penalty sees: the padded row, as transformers' processor reads input_ids.
  const sequences = rows.map((r) => [...r]);
  const results: GenerateResult[] = prompts.map(() => ({ tokenIds: [], finishReason: 'length' }));
  const running = new Set(prompts.map((_, row) => row));
  // Unpadded batches (one prompt, or prompts of one length) need no mask: positions are 0, 1, 2, … as by default.
  const maskRows = prompts.map((p) => [...new Array<number>(width - p.length).fill(0), ...p.map(() => 1)]);
  const cache = model.newCache();
  const step: { inputIds: tf.Tensor2D; attentionMask?: tf.Tensor2D; positions?: tf.Tensor2D } = {
    inputIds: tf.tensor2d(rows, [batch, width], 'int32'),
  };
  if (padded) {
    step.attentionMask = tf.tensor2d(maskRows, [batch, width], 'int32');
    step.positions = positionIds(step.attentionMask);
  }
  const freeStep = () => tf.dispose([step.inputIds, step.attentionMask, step.positions].filter((t) => t));
  try {
    for (let s = 0; s < budget; s++) {
      const logits = model.nextTokenLogits(
        { inputIds: step.inputIds, attentionMask: step.attentionMask },
        { training: false, cache, positionIds: step.positions },
      );
      freeStep();
      const chosen: (number | undefined)[] = new Array<undefined>(batch);
      if (onDevice) {
        const best = tf.argMax(logits, -1);
        const ids = await best.data();
        tf.dispose([best, logits]);
        for (const row of running) chosen[row] = ids[row]!;
      } else {
        const all = (await logits.data()) as Float32Array;
        logits.dispose();
        for (const row of running) {
          const scores = all.subarray(row * vocab, (row + 1) * vocab);
          applyRepetitionPenalty(scores, sequences[row]!, settings.repetitionPenalty);
          chosen[row] = settings.doSample ? sampleToken(scores, settings, rng) : argmax(scores);
        }
      }
      for (const row of [...running]) {
        const id = chosen[row]!;
        sequences[row]!.push(id);
        results[row]!.tokenIds.push(id);
        if (eos.has(id)) {
          results[row]!.finishReason = 'eos';
          running.delete(row);
        }
      }
      yield chosen;
      if (running.size === 0) break;
      if (options.signal?.aborted) {
        for (const row of running) results[row]!.finishReason = 'aborted';
        break;
      }
      step.inputIds = tf.tensor2d(
        chosen.map((id) => [id ?? pad]),
        [batch, 1],
        'int32',
      );
      if (padded) {
        for (const mask of maskRows) mask.push(1);
        step.attentionMask = tf.tensor2d(maskRows, [batch, width + s + 1], 'int32');
        // transformers' cumsum(mask) − 1: each row's real tokens so far, the new one included, less one.
        step.positions = tf.tensor2d(
          prompts.map((p) => [p.length + s]),
          [batch, 1],
          'int32',
        );
      } else {
        step.attentionMask = step.positions = undefined;
      }
    }
  } finally {
    freeStep();
    cache.dispose();
  }
  return results;
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
