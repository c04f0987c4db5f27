// One entry point for a pre-trained model: config, weights and tokenizer files from any ModelSource, through an
// optional cache. Weights are read from, in order of preference: model.safetensors, its sharded index,
// pytorch_model.bin, its sharded index.
import { cachedSource, type FileCache } from './cache';
import { badFile, ModelLoadError } from './errors';
import { PytorchBinError, readPytorchBin } from './pytorch-bin';
import { readSafetensors, readShardIndex, SafetensorsError } from './safetensors';
import { fetchOptional, type ModelSource, type ProgressCallback } from './source';
import type { TensorMap } from './tensors';
import { UnsafePickleError } from './unpickle';

export interface LoadOptions {
  /** Called per chunk of every file: bytes done / total for that file. */
  onProgress?: ProgressCallback;
  /** Where downloads are kept; without one every load downloads again. */
  cache?: FileCache;
}

export interface LoadPretrainedOptions extends LoadOptions {
  /** false: fetch no tokenizer files (for checkpoints that have none, used with token ids only). */
  tokenizer?: boolean;
}

/** Tokenizer files by name (`tokenizer.json`, `vocab.txt`, …) as text, for the tokenizer and for export. */
export type TokenizerFiles = Record<string, string>;

export interface PretrainedModel {
  /** The model as messages name it. */
  name: string;
  /** config.json, parsed. */
  config: Record<string, unknown>;
  /** Every tensor of the checkpoint as float32, by its name in the checkpoint. */
  weights: TensorMap;
  /** The files the weights came from (one, or the shards). */
  weightFiles: string[];
  tokenizerFiles: TokenizerFiles;
}

export async function loadPretrained(
  source: ModelSource,
  options: LoadPretrainedOptions = {},
): Promise<PretrainedModel> {
  const cached = cachedSource(source, options.cache);
  const inner = { onProgress: options.onProgress }; // the cache is already in front of `cached`
  const config = await loadConfig(cached, inner);
  const [weights, tokenizerFiles] = await Promise.all([
    loadWeights(cached, inner),
    options.tokenizer === false ? {} : fetchTokenizerFiles(cached, inner),
  ]);
  return { name: source.name, config, ...weights, tokenizerFiles };
}

export async function loadConfig(
  source: ModelSource,
  options: LoadOptions = {},
): Promise<Record<string, unknown>> {
  const cached = cachedSource(source, options.cache);
  const config = parseJson(
    cached.name,
    'config.json',
    await cached.fetchFile('config.json', options.onProgress),
  );
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw badFile(cached.name, 'config.json', 'is not a JSON object');
  }
  return config as Record<string, unknown>;
}

export async function loadWeights(
  source: ModelSource,
  options: LoadOptions = {},
): Promise<{ weights: TensorMap; weightFiles: string[] }> {
  const cached = cachedSource(source, options.cache);
  const { onProgress } = options;
  const single = async (file: string, read: (bytes: Uint8Array, file: string) => TensorMap) => {
    const bytes = await fetchOptional(cached, file, onProgress);
    return (
      bytes && { weights: parseWeights(cached.name, file, () => read(bytes, file)), weightFiles: [file] }
    );
  };
  const sharded = async (index: string, read: (bytes: Uint8Array, file: string) => TensorMap) => {
    const bytes = await fetchOptional(cached, index, onProgress);
    if (!bytes) return undefined;
    const { weightMap, shards } = parseWeights(cached.name, index, () =>
      readShardIndex(parseJson(cached.name, index, bytes)),
    );
    const weights: TensorMap = new Map();
    // Shards are fetched one after another so that one large download at a time holds memory.
    for (const shard of shards) {
      const shardBytes = await cached.fetchFile(shard, onProgress);
      const tensors = parseWeights(cached.name, shard, () => read(shardBytes, shard));
      for (const [name, tensor] of tensors) if (weightMap.get(name) === shard) weights.set(name, tensor);
    }
    const absent = [...weightMap.keys()].filter((name) => !weights.has(name));
    if (absent.length) {
      throw badFile(
        cached.name,
        index,
        `lists tensors that its shards do not hold: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', …' : ''}`,
      );
    }
    return { weights, weightFiles: shards };
  };
  const found =
    (await single('model.safetensors', readSafetensors)) ??
    (await sharded('model.safetensors.index.json', readSafetensors)) ??
    (await single('pytorch_model.bin', readPytorchBin)) ??
    (await sharded('pytorch_model.bin.index.json', readPytorchBin));
  if (!found) {
    throw new ModelLoadError(
      'missing-file',
      cached.name,
      'model.safetensors',
      `Model ${cached.name} has no weights: looked for model.safetensors, model.safetensors.index.json, ` +
        'pytorch_model.bin and pytorch_model.bin.index.json.',
    );
  }
  return found;
}

/**
 * The tokenizer's files: tokenizer.json when the model has one, else the vocabulary it is built from
 * (vocab.txt for WordPiece, vocab.json + merges.txt for byte-level BPE), with tokenizer_config.json and
 * special_tokens_map.json when present.
 */
export async function fetchTokenizerFiles(
  source: ModelSource,
  options: LoadOptions = {},
): Promise<TokenizerFiles> {
  const cached = cachedSource(source, options.cache);
  const files: TokenizerFiles = {};
  const get = async (file: string) => {
    const bytes = await fetchOptional(cached, file, options.onProgress);
    if (bytes) files[file] = new TextDecoder().decode(bytes);
  };
  // chat_template.jinja: where transformers 5 saves a chat model's template (transformers 4 kept it in
  // tokenizer_config.json).
  await Promise.all(
    ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja'].map(get),
  );
  // The vocabulary files are fetched beside a tokenizer.json too: they are part of what the model came with, and
  // the export hands them on (Python's slow tokenizers read only them). The tokenizer's type says which exist,
  // so nothing is asked for in vain.
  const type = files['tokenizer.json'] ? tokenizerModelType(files['tokenizer.json']) : 'unknown';
  if (type === 'WordPiece' || type === 'unknown') await get('vocab.txt');
  if (type === 'BPE' || (type === 'unknown' && !files['vocab.txt']))
    await Promise.all(['vocab.json', 'merges.txt'].map(get));
  if (!files['tokenizer.json'] && !files['vocab.txt'] && !(files['vocab.json'] && files['merges.txt'])) {
    throw new ModelLoadError(
      'missing-file',
      cached.name,
      'tokenizer.json',
      `Model ${cached.name} has no tokenizer: looked for tokenizer.json, vocab.txt, and vocab.json with merges.txt.`,
    );
  }
  return files;
}

function parseJson(model: string, file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw badFile(model, file, `is not valid JSON (${(error as Error).message})`, error);
  }
}

function parseWeights<T>(model: string, file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UnsafePickleError) {
      throw new ModelLoadError(
        'unsafe-pickle',
        model,
        file,
        `Refused to read ${file} of model ${model}: ${error.message}`,
        { cause: error },
      );
    }
    if (error instanceof SafetensorsError || error instanceof PytorchBinError) {
      throw badFile(model, file, `cannot be read: ${error.message}`, error);
    }
    throw error;
  }
}

/** The `model.type` of a tokenizer.json (WordPiece, BPE, Unigram, …), or undefined without a readable one. */
function tokenizerModelType(json: string | undefined): string | undefined {
  if (!json) return undefined;
  try {
    const type = (JSON.parse(json) as { model?: { type?: unknown } }).model?.type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined; // the tokenizer reports a broken tokenizer.json with its own message
  }
}
