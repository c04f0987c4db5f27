// What the app tests need from a decoder fixture's reference.json and files (made by transformers): prompts,
// greedy continuations, the context length and the parameter count (from the safetensors header's shapes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedModelDir } from './shared';

export interface DecoderReference {
  prompts: string[];
  /** transformers' greedy 16-token continuation of each prompt alone. */
  greedy: number[][];
  contextLength: number;
  parameters: number;
}

export function readDecoderReference(name: 'gpt2' | 'llama' | 'qwen2'): DecoderReference {
  const dir = sharedModelDir(`webtune/tiny-random-${name}`);
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  return {
    prompts: reference.prompts,
    greedy: reference.greedy_16,
    contextLength: config.n_positions ?? config.max_position_embeddings,
    parameters: safetensorsParameters(join(dir, 'model.safetensors')),
  };
}

/** The sum of the tensors' element counts, read off the header (8-byte length, then JSON). */
function safetensorsParameters(path: string): number {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<
    string,
    { shape?: number[] }
  >;
  return Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .reduce((sum, [, t]) => sum + (t.shape ?? []).reduce((a, b) => a * b, 1), 0);
}
