// The base model's tokenizer files, copied into the export so that AutoTokenizer (Python and
// transformers.js) loads the fine-tuned model with exactly the tokenizer it was trained with.
import { parseConfig, usablePositions } from '../models/config';
import { descriptorFor } from '../models/registry';
import type { HFConfig } from '../models/types';

export class ExportTokenizerError extends Error {}

/** Tokenizer files the three supported architectures come with, copied when the base model has them. */
export const TOKENIZER_FILE_NAMES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
  'chat_template.jinja',
] as const;

/** transformers writes int(1e30) when a tokenizer has no length limit of its own. */
const UNSET_MAX_LENGTH = 1e29;

/**
 * Picks the tokenizer files from the base model's files. `tokenizer_config.json` is copied byte for byte
 * when its `model_max_length` is a real limit; when it is missing or transformers' "no limit" value, the
 * limit the position embeddings allow is filled in, so truncation in Python stops where the model must.
 */
export function tokenizerFiles(
  baseFiles: ReadonlyMap<string, Uint8Array>,
  config: HFConfig,
  modelName = 'the base model',
  /** The positions the model has, when its config is not an encoder's (a decoder's descriptor knows them). */
  positions?: number,
  /** A sequence classifier's export: a decoder's missing pad token becomes its eos (withEosPadToken). */
  classifier = false,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const name of TOKENIZER_FILE_NAMES) {
    const bytes = baseFiles.get(name);
    if (bytes) out.set(name, bytes);
  }
  const hasVocabulary =
    out.has('tokenizer.json') || out.has('vocab.txt') || (out.has('vocab.json') && out.has('merges.txt'));
  if (!hasVocabulary) {
    const found = [...out.keys()];
    throw new ExportTokenizerError(
      `${modelName} has no tokenizer to export: it needs tokenizer.json, vocab.txt, or vocab.json with ` +
        `merges.txt (found ${found.length ? found.join(', ') : 'no tokenizer files'})`,
    );
  }
  const tokenizerConfig = out.get('tokenizer_config.json');
  if (tokenizerConfig)
    out.set(
      'tokenizer_config.json',
      withModelMaxLength(tokenizerConfig, config, modelName, positions, classifier),
    );
  return out;
}

/** The longest input the position embeddings allow (an encoder's, or a decoder's positions). */
export function positionLimit(config: HFConfig): number {
  const descriptor = descriptorFor(config);
  if (descriptor.kind === 'decoder')
    return descriptor.maxLength(descriptor.parseConfig(config, 'config.json'));
  return usablePositions(parseConfig(config));
}

/**
 * A decoder classifier's tokenizer without a pad token gets its eos token as pad_token when config.json pads
 * with eos (the usual recipe, `tokenizer.pad_token = tokenizer.eos_token`, which save_pretrained then writes), so
 * Python pads a batch with the id the score pools by. Returns whether it changed `parsed`.
 */
function withEosPadToken(parsed: Record<string, unknown>, config: HFConfig): boolean {
  if (descriptorFor(config).kind !== 'decoder' || parsed.pad_token != null) return false;
  const pad = config.pad_token_id;
  const eos = Array.isArray(config.eos_token_id) ? config.eos_token_id[0] : config.eos_token_id;
  if (pad === undefined || pad === null || pad !== eos || parsed.eos_token == null) return false;
  parsed.pad_token = parsed.eos_token;
  return true;
}

function withModelMaxLength(
  bytes: Uint8Array,
  config: HFConfig,
  modelName: string,
  positions: number | undefined,
  classifier: boolean,
): Uint8Array {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new ExportTokenizerError(`${modelName}'s tokenizer_config.json is not valid JSON`);
  }
  const padded = classifier && withEosPadToken(parsed, config);
  const current = parsed.model_max_length;
  if (typeof current === 'number' && current > 0 && current < UNSET_MAX_LENGTH) {
    if (!padded) return bytes;
  } else parsed.model_max_length = positions ?? positionLimit(config);
  return new TextEncoder().encode(`${JSON.stringify(parsed, null, 2)}\n`);
}
