// ChatML for a decoder without a chat template, as TRL's clone_chat_template gives it one: the template, its two
// markers as special tokens (new ids after the tokenizer's last), <|im_end|> as the eos token (tokenizer,
// config.json, generation_config.json), and the word embeddings (and an untied lm_head) grown to the new vocabulary
// rounded up to a multiple of 64, as resize_token_embeddings(pad_to_multiple_of=64) does. The new rows are the
// mean of the old ones: transformers' mean_resizing draws them from N(mean, 1e-9 · covariance), which is the mean
// to within about 3e-5 of the rows' own spread. A pure function of the files: the base stays as it was (the
// Playground's before/after view answers with it).
import type { TensorMap } from '../hub/tensors';
import type { TokenizerFiles } from '../hub/load';
import { decoderDescriptor, descriptorFor } from './registry';
import type { HFConfig } from './types';

export const CHATML_START = '<|im_start|>';
export const CHATML_END = '<|im_end|>';

/** The template (TRL's ChatML, the one Qwen's chat models use, without a default system turn). */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The embedding rows are rounded up to this (TRL's resize_to_multiple_of default: tensor-core friendly sizes). */
export const CHATML_RESIZE_MULTIPLE = 64;

/** What a decoder is made from, as loaded: the files ChatML changes. */
export interface DecoderFiles {
  config: HFConfig;
  weights: TensorMap;
  tokenizerFiles: TokenizerFiles;
  generationConfig?: Record<string, unknown>;
}

export interface ChatMlAdded extends DecoderFiles {
  /** The ids of <|im_start|> and <|im_end|> (the new eos). */
  tokenIds: { start: number; end: number };
  /** The vocabulary before and after (config.json's vocab_size). */
  vocabSize: { before: number; after: number };
}

type Json = Record<string, unknown>;

interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

function parse(files: TokenizerFiles, name: string, modelName: string): Json | undefined {
  const text = files[name];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new Error(`${modelName}: ${name} is not valid JSON`);
  }
}

/** The decoder with ChatML added (see the file's comment). Throws for a model without a tokenizer.json. */
export function addChatMl(base: DecoderFiles, modelName: string): ChatMlAdded {
  const { tokenizerFiles, tokenIds, tokenCount } = addChatMlTokens(base.tokenizerFiles, modelName);
  const before = base.config.vocab_size;
  const after = Math.ceil(Math.max(tokenCount, before) / CHATML_RESIZE_MULTIPLE) * CHATML_RESIZE_MULTIPLE;
  return {
    config: { ...base.config, vocab_size: after, eos_token_id: tokenIds.end },
    weights: resizedWeights(base, after, modelName),
    tokenizerFiles,
    ...(base.generationConfig
      ? { generationConfig: { ...base.generationConfig, eos_token_id: tokenIds.end } }
      : {}),
    tokenIds,
    vocabSize: { before, after },
  };
}

/**
 * The tokenizer half of addChatMl: the files with ChatML's template, its markers as special tokens (a marker the
 * vocabulary already has keeps its id, as clone_chat_template adds only what is missing) and <|im_end|> as eos;
 * tokenCount is the tokenizer's size after (its highest id + 1).
 */
export function addChatMlTokens(
  files: TokenizerFiles,
  modelName: string,
): { tokenizerFiles: TokenizerFiles; tokenIds: { start: number; end: number }; tokenCount: number } {
  const tokenizer = parse(files, 'tokenizer.json', modelName);
  if (!tokenizer)
    throw new Error(`${modelName} has no tokenizer.json, so ChatML's tokens cannot be added to it`);
  const vocab = ((tokenizer.model as Json | undefined)?.vocab ?? {}) as Record<string, number>;
  const added = [...((tokenizer.added_tokens ?? []) as AddedToken[])];
  const ids = new Map<string, number>([
    ...Object.entries(vocab),
    ...added.map((t) => [t.content, t.id] as const),
  ]);
  let next = Math.max(-1, ...ids.values()) + 1;
  const newTokens: AddedToken[] = [];
  const idOf = (content: string) => {
    const known = ids.get(content);
    if (known !== undefined) return known;
    const token = {
      id: next++,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    };
    newTokens.push(token);
    return token.id;
  };
  const tokenIds = { start: idOf(CHATML_START), end: idOf(CHATML_END) };
  const allAdded = [...added, ...newTokens];
  const tokenizerFiles: TokenizerFiles = {
    ...files,
    'tokenizer.json': JSON.stringify({ ...tokenizer, added_tokens: allAdded }),
    'tokenizer_config.json': JSON.stringify(
      withAddedTokens(parse(files, 'tokenizer_config.json', modelName) ?? {}, allAdded),
    ),
    'chat_template.jinja': CHATML_TEMPLATE,
  };
  const specials = parse(files, 'special_tokens_map.json', modelName);
  if (specials)
    tokenizerFiles['special_tokens_map.json'] = JSON.stringify({ ...specials, eos_token: CHATML_END });
  return { tokenizerFiles, tokenIds, tokenCount: next };
}

/**
 * tokenizer_config.json with every added token in added_tokens_decoder (as save_pretrained writes it: transformers
 * 5's slow-tokenizer classes, Qwen2Tokenizer among them, take the added tokens from there, and one missing there
 * gets a new id) and <|im_end|> as eos_token.
 */
function withAddedTokens(config: Json, tokens: readonly AddedToken[]): Json {
  const decoder = { ...((config.added_tokens_decoder ?? {}) as Json) };
  for (const { id, ...token } of tokens) decoder[String(id)] = token;
  const out: Json = { ...config, added_tokens_decoder: decoder, eos_token: CHATML_END };
  // The template lives in chat_template.jinja (transformers 5's place); one in the config would be stale.
  delete out.chat_template;
  return out;
}

/** The word embeddings (with or without the model prefix) and any lm_head.weight, grown to `rows` rows. */
function resizedWeights(base: DecoderFiles, rows: number, modelName: string): TensorMap {
  const descriptor = decoderDescriptor(descriptorFor(base.config, modelName).modelType);
  const embedding = [
    `${descriptor.weightPrefix}.${descriptor.embeddingTensor}`,
    descriptor.embeddingTensor,
  ].find((name) => base.weights.has(name));
  if (!embedding) throw new Error(`${modelName}: the checkpoint has no ${descriptor.embeddingTensor}`);
  const weights = new Map(base.weights);
  for (const name of [embedding, 'lm_head.weight']) {
    const tensor = base.weights.get(name);
    if (!tensor) continue;
    const [old, width] = tensor.shape as [number, number];
    const data = new Float32Array(rows * width);
    data.set(tensor.data);
    const sums = new Float64Array(width);
    for (let r = 0; r < old; r++)
      for (let c = 0; c < width; c++) sums[c] = sums[c]! + tensor.data[r * width + c]!;
    const mean = Float32Array.from(sums, (sum) => sum / old);
    for (let r = old; r < rows; r++) data.set(mean, r * width);
    weights.set(name, { shape: [rows, width], data });
  }
  return weights;
}
