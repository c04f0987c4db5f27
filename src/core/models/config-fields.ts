// Reads typed fields of a Hugging Face config.json with transformers' defaults, and names the field, its value
// and what was expected when it is wrong. Every architecture's config parsing (bert.ts, llama.ts, …) uses it.
import type { HFConfig } from './types';

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

/** Activations the models implement, by the names transformers' configs use. */
export const SUPPORTED_ACTIVATIONS = [
  'gelu',
  'gelu_new',
  'gelu_pytorch_tanh',
  'gelu_fast',
  'quick_gelu',
  'relu',
  'silu',
  'swish',
  'tanh',
] as const;
export type ActivationName = (typeof SUPPORTED_ACTIVATIONS)[number];

/** Reads typed fields with transformers' defaults and names the field and its value when it is wrong. */
export class FieldReader {
  constructor(
    readonly config: HFConfig,
    readonly where: string,
  ) {}

  raw(key: string): unknown {
    return this.config[key];
  }

  fail(key: string, expected: string): never {
    throw new ModelConfigError(
      `${this.where} has ${key} = ${JSON.stringify(this.raw(key))}; expected ${expected}`,
    );
  }

  number(key: string, fallback: number): number {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, 'a number');
    return value;
  }

  positiveInt(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value <= 0) this.fail(key, 'a positive integer');
    return value;
  }

  nonNegativeInt(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value < 0) this.fail(key, 'a non-negative integer');
    return value;
  }

  positiveNumber(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (value <= 0) this.fail(key, 'a positive number');
    return value;
  }

  probability(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (value < 0 || value >= 1) this.fail(key, 'a probability in [0, 1)');
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') this.fail(key, 'a string');
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(key, 'true or false');
    return value;
  }

  /** A token id that may be absent (null or missing gives undefined). */
  optionalId(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(key, 'a token id');
    return value;
  }

  /** One token id or a list of them (eos_token_id may be either); undefined when absent. */
  idList(key: string): number[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((id) => typeof id === 'number' && Number.isInteger(id) && id >= 0)) {
      this.fail(key, 'a token id or a list of token ids');
    }
    return list as number[];
  }

  activation(key: string, fallback = 'gelu'): ActivationName {
    const value = this.string(key, fallback);
    if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(value)) {
      this.fail(key, `one of ${SUPPORTED_ACTIVATIONS.join(', ')}`);
    }
    return value as ActivationName;
  }
}
