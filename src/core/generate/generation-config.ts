// The generation settings of a model: transformers' GenerationConfig defaults, overridden by the model's
// generation_config.json (then by config.json's ids where the former has none), then by what the caller asks.
import type { DecoderDims } from '../models/decoder';

export interface GenerationSettings {
  /** New tokens at most (the prompt not counted). */
  maxNewTokens: number;
  /** false: greedy decoding (transformers' default); true: sampling with the settings below. */
  doSample: boolean;
  temperature: number;
  /** Keep the k most likely tokens (0: no limit). */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p (1: no limit). */
  topP: number;
  /** > 1 makes tokens already in the prompt or the output less likely (transformers' semantics). */
  repetitionPenalty: number;
  /** Generation stops after any of these; empty: never stops early. */
  eosTokenIds: number[];
  /** Sampling seed: the same seed, prompt and settings give the same tokens. */
  seed?: number;
}

/** transformers' GenerationConfig defaults (max_new_tokens unset there means max_length 20 in all). */
export const GENERATION_DEFAULTS: Omit<GenerationSettings, 'eosTokenIds'> = {
  maxNewTokens: 20,
  doSample: false,
  temperature: 1,
  topK: 50,
  topP: 1,
  repetitionPenalty: 1,
};

export class GenerationConfigError extends Error {
  override name = 'GenerationConfigError';
}

type Json = Record<string, unknown>;

/** The model's defaults from generation_config.json (parsed, or undefined when the model has none). */
export function modelGenerationSettings(
  generationConfig: Json | undefined,
  dims: DecoderDims,
  modelName: string,
): GenerationSettings {
  const g = generationConfig ?? {};
  const where = `${modelName} (generation_config.json)`;
  const num = (key: string, fallback: number, check: (x: number) => boolean, expected: string) => {
    const v = g[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !check(v)) {
      throw new GenerationConfigError(`${where} has ${key} = ${JSON.stringify(v)}; expected ${expected}`);
    }
    return v;
  };
  const eos = g.eos_token_id;
  let eosTokenIds = dims.eosTokenIds;
  if (eos !== undefined && eos !== null) {
    const list = Array.isArray(eos) ? eos : [eos];
    if (!list.every((id) => Number.isInteger(id) && (id as number) >= 0)) {
      throw new GenerationConfigError(
        `${where} has eos_token_id = ${JSON.stringify(eos)}; expected token ids`,
      );
    }
    eosTokenIds = list as number[];
  }
  return {
    maxNewTokens: num(
      'max_new_tokens',
      GENERATION_DEFAULTS.maxNewTokens,
      (x) => Number.isInteger(x) && x > 0,
      'a positive integer',
    ),
    doSample: g.do_sample === true,
    temperature: num('temperature', GENERATION_DEFAULTS.temperature, (x) => x > 0, 'a positive number'),
    topK: num('top_k', GENERATION_DEFAULTS.topK, (x) => Number.isInteger(x) && x >= 0, 'a whole number ≥ 0'),
    topP: num('top_p', GENERATION_DEFAULTS.topP, (x) => x > 0 && x <= 1, 'a number in (0, 1]'),
    repetitionPenalty: num(
      'repetition_penalty',
      GENERATION_DEFAULTS.repetitionPenalty,
      (x) => x > 0,
      'a positive number',
    ),
    eosTokenIds,
  };
}

/** Checks settings a caller gives (CLI flags, the Playground's sliders) with one clear message each. */
export function checkGenerationSettings(s: GenerationSettings): void {
  const fail = (message: string) => {
    throw new GenerationConfigError(message);
  };
  if (!Number.isInteger(s.maxNewTokens) || s.maxNewTokens < 1)
    fail(`max_new_tokens must be a positive whole number, got ${s.maxNewTokens}`);
  if (!(s.temperature > 0)) fail(`temperature must be > 0, got ${s.temperature}`);
  if (!Number.isInteger(s.topK) || s.topK < 0) fail(`top_k must be a whole number ≥ 0, got ${s.topK}`);
  if (!(s.topP > 0 && s.topP <= 1)) fail(`top_p must be in (0, 1], got ${s.topP}`);
  if (!(s.repetitionPenalty > 0)) fail(`repetition_penalty must be > 0, got ${s.repetitionPenalty}`);
  if (s.seed !== undefined && (!Number.isInteger(s.seed) || s.seed < 0))
    fail(`seed must be a whole number ≥ 0, got ${s.seed}`);
}
