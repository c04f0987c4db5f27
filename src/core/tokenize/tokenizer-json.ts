// Prepares the JSON that @xenova/transformers' tokenizer classes are built from: fixes what 2.17.2 cannot read
// in a modern tokenizer.json, and, for models that ship only their vocabulary, writes the tokenizer.json that
// Hugging Face's converters would (WordPiece from vocab.txt, byte-level BPE from vocab.json + merges.txt).
import type { TokenizerFiles } from '../hub/load';

export type Json = Record<string, unknown>;

export class TokenizerFilesError extends Error {}

/**
 * tokenizers ≥ 0.20 writes BPE merges as pairs (`[["Ġ", "t"], …]`); transformers.js 2.17.2 splits each merge
 * as a string and fails with "x.split is not a function". Pairs become the older `"Ġ t"` strings.
 */
export function normaliseTokenizerJson(json: Json): Json {
  const model = json.model as Json | undefined;
  const merges = model?.merges;
  if (!Array.isArray(merges) || !merges.some(Array.isArray)) return json;
  return {
    ...json,
    model: { ...model, merges: merges.map((merge) => (Array.isArray(merge) ? merge.join(' ') : merge)) },
  };
}

/** tokenizer_config.json with special_tokens_map.json's tokens filled in where the config lacks them. */
export function tokenizerConfigOf(files: TokenizerFiles, model: string): Json {
  const config = parseJson(files, 'tokenizer_config.json', model) ?? {};
  const specials = parseJson(files, 'special_tokens_map.json', model) ?? {};
  const merged: Json = { ...config };
  for (const [key, value] of Object.entries(specials)) if (merged[key] == null) merged[key] = value;
  // Special tokens may be AddedToken objects ({content, …}); the classes read plain strings.
  for (const [key, value] of Object.entries(merged)) {
    if (key.endsWith('_token') && value && typeof value === 'object' && 'content' in value) {
      merged[key] = (value as { content: unknown }).content;
    }
  }
  return merged;
}

/** The tokenizer.json to build from: the model's own, else one written from its vocabulary files. */
export function tokenizerJsonOf(files: TokenizerFiles, config: Json, model: string): Json {
  const own = parseJson(files, 'tokenizer.json', model);
  if (own) return normaliseTokenizerJson(own);
  if (files['vocab.txt'] !== undefined) return wordPieceJson(files['vocab.txt'], config);
  if (files['vocab.json'] !== undefined && files['merges.txt'] !== undefined) {
    const vocab = parseJson(files, 'vocab.json', model)!;
    return byteLevelBpeJson(vocab, files['merges.txt'], config);
  }
  throw new TokenizerFilesError(
    `Model ${model} has no tokenizer: it needs tokenizer.json, vocab.txt, or vocab.json with merges.txt`,
  );
}

function parseJson(files: TokenizerFiles, file: string, model: string): Json | undefined {
  const text = files[file];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TokenizerFilesError(
      `${file} of model ${model} is not valid JSON (${(error as Error).message})`,
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenizerFilesError(`${file} of model ${model} is not a JSON object`);
  }
  return value as Json;
}

const str = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);

function addedTokens(vocab: Map<string, number>, tokens: string[]): Json[] {
  return [...new Set(tokens)]
    .filter((token) => vocab.has(token))
    .map((token) => ({
      id: vocab.get(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    }))
    .sort((a, b) => (a.id as number) - (b.id as number));
}

function specialTokens(config: Json, defaults: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, fallback] of Object.entries(defaults)) out[key] = str(config[key], fallback);
  return out;
}

/** BertTokenizer's behaviour (lower-casing, accents, Chinese characters) from its config, as HF converts it. */
function wordPieceJson(vocabText: string, config: Json): Json {
  const lines = vocabText.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((token, id) => vocab.set(token, id));
  const s = specialTokens(config, {
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  for (const key of ['cls_token', 'sep_token', 'unk_token']) {
    if (!vocab.has(s[key]!)) throw new TokenizerFilesError(`vocab.txt has no ${key} ${s[key]}`);
  }
  const cls = s.cls_token!;
  const sep = s.sep_token!;
  const lowercase = config.do_lower_case !== false;
  return {
    version: '1.0',
    added_tokens: addedTokens(vocab, Object.values(s)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: config.tokenize_chinese_chars !== false,
      strip_accents: config.strip_accents ?? null,
      lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', cls: [cls, vocab.get(cls)], sep: [sep, vocab.get(sep)] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: s.unk_token,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}

/** GPT-2 / RoBERTa byte-level BPE; RoBERTa-style classes get `<s> A </s></s> B </s>`. */
function byteLevelBpeJson(vocabJson: Json, mergesText: string, config: Json): Json {
  const vocab = new Map(Object.entries(vocabJson).map(([token, id]) => [token, Number(id)]));
  const merges = mergesText
    .split(/\r?\n/)
    .filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version')));
  const tokenizerClass = str(config.tokenizer_class, '').replace(/Fast$/, '');
  const roberta = /^(Roberta|Bart|Longformer|Camembert|XLMRoberta)/.test(tokenizerClass);
  const addPrefixSpace = config.add_prefix_space === true;
  const s = roberta
    ? specialTokens(config, {
        bos_token: '<s>',
        eos_token: '</s>',
        sep_token: '</s>',
        cls_token: '<s>',
        unk_token: '<unk>',
        pad_token: '<pad>',
        mask_token: '<mask>',
      })
    : specialTokens(config, {
        bos_token: '<|endoftext|>',
        eos_token: '<|endoftext|>',
        unk_token: '<|endoftext|>',
      });
  const byteLevel = { add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    added_tokens: addedTokens(vocab, Object.values(s)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: roberta
      ? {
          type: 'RobertaProcessing',
          cls: [s.cls_token, vocab.get(s.cls_token!)],
          sep: [s.sep_token, vocab.get(s.sep_token!)],
          trim_offsets: true,
          add_prefix_space: addPrefixSpace,
        }
      : { type: 'ByteLevel', ...byteLevel },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}
