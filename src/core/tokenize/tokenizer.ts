// A thin wrapper over @xenova/transformers' tokenizer classes, built from files that WebTune fetched itself
// (through the same source and cache as the weights): transformers.js is never allowed to reach the network.
// The wrapper adds what training needs: batches of single texts or pairs, truncation that keeps the special
// tokens (as Hugging Face truncates, not by cutting the tail), dynamic padding, plain number arrays.
import { AutoTokenizer, env } from '@xenova/transformers';
import { fetchTokenizerFiles, type LoadOptions, type TokenizerFiles } from '../hub/load';
import type { ModelSource } from '../hub/source';
import { tokenizerConfigOf, tokenizerJsonOf, type Json } from './tokenizer-json';

env.allowRemoteModels = false;
env.allowLocalModels = false;
env.useBrowserCache = false;
env.useFSCache = false;

/** The parts of a transformers.js PreTrainedTokenizer this wrapper uses (pinned at 2.17.2). */
interface XenovaTokenizer {
  _encode_text(text: string): string[];
  post_processor:
    | ((
        a: string[],
        b: string[] | null,
        options: { add_special_tokens: boolean },
      ) => {
        tokens: string[];
        token_type_ids?: number[];
      })
    | null;
  model: { convert_tokens_to_ids(tokens: string[]): number[]; vocab: string[] };
  pad_token_id?: number;
  return_token_type_ids: boolean;
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  /** Set to the template used, so that transformers.js never falls back to (and warns about) its default. */
  chat_template: unknown;
  apply_chat_template(
    messages: ChatMessage[],
    options: { chat_template: string; add_generation_prompt: boolean; tokenize: false },
  ): string;
}

/** One turn of a conversation, as transformers' apply_chat_template takes it. */
export interface ChatMessage {
  role: string;
  content: string;
}

export interface EncodeOptions {
  /** Longest sequence kept, special tokens included; defaults to the tokenizer's maxLength. */
  maxLength?: number;
  /** `longest` pads to the batch's longest sequence (dynamic padding), `max_length` to maxLength. */
  padding?: 'longest' | 'max_length';
  /** Round the padded length up to a multiple of this (fewer distinct shapes to compile). */
  padToMultipleOf?: number;
  /** Cut sequences longer than maxLength (default true); when false they are kept whole. */
  truncation?: boolean;
}

export interface EncodedBatch {
  input_ids: number[][];
  attention_mask: number[][];
  /** Present when the tokenizer makes them (BERT-style tokenizers; not RoBERTa's or GPT-2's). */
  token_type_ids?: number[][];
}

export interface LoadTokenizerOptions {
  /** How messages name the model. */
  model?: string;
  /** The default maxLength; otherwise tokenizer_config's model_max_length when sensible, else 512. */
  maxLength?: number;
}

export class TextTokenizer {
  constructor(
    private readonly inner: XenovaTokenizer,
    readonly model: string,
    readonly maxLength: number,
    readonly padTokenId: number | undefined,
    private readonly padLeft: boolean,
    /** The tokenizer's class as named in tokenizer_config.json (e.g. BertTokenizer). */
    readonly tokenizerClass: string,
    /** The Jinja chat template (chat_template.jinja, or tokenizer_config.json's chat_template), if any. */
    readonly chatTemplate?: string,
  ) {}

  /** Ids of one text; without special tokens when the text already holds them (a rendered chat template). */
  encodeText(text: string, addSpecialTokens = true): number[] {
    const tokens = this.inner._encode_text(text);
    const withSpecials = addSpecialTokens ? this.withSpecialTokens(tokens, null).tokens : tokens;
    return this.inner.model.convert_tokens_to_ids(withSpecials);
  }

  /**
   * The conversation rendered by the tokenizer's chat template and its ids, as transformers'
   * apply_chat_template(messages, add_generation_prompt=…) does: the text is tokenised without adding special
   * tokens (the template writes them). A tokenizer without a template is refused (transformers 5 does too).
   */
  applyChatTemplate(messages: ChatMessage[], addGenerationPrompt = true): { text: string; ids: number[] } {
    if (!this.chatTemplate) {
      throw new Error(
        `The tokenizer of model ${this.model} has no chat template (no chat_template.jinja, no chat_template in ` +
          'tokenizer_config.json), so it cannot format a chat; give it plain text instead',
      );
    }
    this.inner.chat_template = this.chatTemplate;
    const text = this.inner.apply_chat_template(messages, {
      chat_template: this.chatTemplate,
      add_generation_prompt: addGenerationPrompt,
      tokenize: false,
    });
    return { text, ids: this.encodeText(text, false) };
  }

  get vocabSize(): number {
    return this.inner.model.vocab.length;
  }

  /** Whether encode() returns token_type_ids. */
  get makesTokenTypeIds(): boolean {
    return this.inner.return_token_type_ids;
  }

  /** Token strings of one text, without special tokens (for showing how a text is split). */
  tokenize(text: string): string[] {
    return this.inner._encode_text(text);
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    return this.inner.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }

  /** Ids of single texts, or of pairs (`pairs[i]` goes with `texts[i]`), padded to a rectangle. */
  encode(texts: string[], pairs?: string[], options: EncodeOptions = {}): EncodedBatch {
    if (pairs && pairs.length !== texts.length) {
      throw new Error(`encode got ${texts.length} texts but ${pairs.length} second texts`);
    }
    const maxLength = options.maxLength ?? this.maxLength;
    const rows = texts.map((text, i) =>
      this.encodeOne(text, pairs?.[i], maxLength, options.truncation ?? true),
    );
    let length =
      options.padding === 'max_length' ? maxLength : Math.max(0, ...rows.map((row) => row.ids.length));
    length = Math.max(length, ...rows.map((row) => row.ids.length));
    const multiple = options.padToMultipleOf;
    if (multiple && multiple > 1) length = Math.ceil(length / multiple) * multiple;

    const pad = (values: number[], filler: number) => {
      const padding = new Array<number>(length - values.length).fill(filler);
      return this.padLeft ? [...padding, ...values] : [...values, ...padding];
    };
    if (this.padTokenId === undefined && rows.some((row) => row.ids.length < length)) {
      throw new Error(`The tokenizer of model ${this.model} has no padding token, so it cannot pad a batch`);
    }
    const batch: EncodedBatch = {
      input_ids: rows.map((row) => pad(row.ids, this.padTokenId ?? 0)),
      attention_mask: rows.map((row) => pad(new Array<number>(row.ids.length).fill(1), 0)),
    };
    if (this.makesTokenTypeIds) {
      batch.token_type_ids = rows.map((row) =>
        pad(row.typeIds ?? new Array<number>(row.ids.length).fill(0), 0),
      );
    }
    return batch;
  }

  private encodeOne(
    text: string,
    pair: string | undefined,
    maxLength: number,
    truncation: boolean,
  ): { ids: number[]; typeIds?: number[] } {
    let a = this.inner._encode_text(text);
    let b = pair === undefined ? null : this.inner._encode_text(pair);
    if (truncation) {
      const special = this.withSpecialTokens([], b && []).tokens.length;
      const budget = Math.max(0, maxLength - special);
      [a, b] = truncateLongestFirst(a, b, budget);
    }
    const { tokens, token_type_ids } = this.withSpecialTokens(a, b);
    return { ids: this.inner.model.convert_tokens_to_ids(tokens), typeIds: token_type_ids };
  }

  private withSpecialTokens(a: string[], b: string[] | null) {
    return this.inner.post_processor
      ? this.inner.post_processor(a, b, { add_special_tokens: true })
      : { tokens: [...a, ...(b ?? [])], token_type_ids: undefined };
  }
}

/**
 * Hugging Face's `longest_first` as the Rust tokenizers (the fast tokenizers transformers uses) do it: the shorter
 * text keeps its length when it fits in half the budget and the longer one gets the rest; otherwise each gets
 * half (the second text the odd token).
 */
export function truncateLongestFirst(
  a: string[],
  b: string[] | null,
  budget: number,
): [string[], string[] | null] {
  if (!b) return [a.slice(0, budget), null];
  if (a.length + b.length <= budget) return [a, b];
  const swap = a.length > b.length;
  let short = Math.min(a.length, b.length);
  let long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  const [lengthA, lengthB] = swap ? [long, short] : [short, long];
  return [a.slice(0, lengthA), b.slice(0, lengthB)];
}

/** A tokenizer from files fetched by fetchTokenizerFiles (or loadPretrained's tokenizerFiles). */
export function loadTokenizer(files: TokenizerFiles, options: LoadTokenizerOptions = {}): TextTokenizer {
  const model = options.model ?? 'the model';
  const config = tokenizerConfigOf(files, model);
  const json = tokenizerJsonOf(files, config, model);
  const tokenizerClass = (typeof config.tokenizer_class === 'string' ? config.tokenizer_class : '').replace(
    /Fast$/,
    '',
  );
  const classes = AutoTokenizer.TOKENIZER_CLASS_MAPPING as unknown as Record<
    string,
    new (json: Json, config: Json) => XenovaTokenizer
  >;
  const Class = classes[tokenizerClass] ?? classes[defaultClass(json)]!;
  let inner: XenovaTokenizer;
  try {
    inner = new Class(json, config);
  } catch (error) {
    throw new Error(`The tokenizer of model ${model} cannot be built: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const fromConfig = Number(config.model_max_length);
  const maxLength =
    options.maxLength ??
    (Number.isFinite(fromConfig) && fromConfig > 0 && fromConfig <= 1e6 ? fromConfig : 512);
  return new TextTokenizer(
    inner,
    model,
    maxLength,
    inner.pad_token_id,
    config.padding_side === 'left',
    tokenizerClass || defaultClass(json),
    chatTemplateOf(files, config),
  );
}

/** Whether the tokenizer files carry a chat template (without building the tokenizer). */
export function hasChatTemplate(files: TokenizerFiles, model = 'the model'): boolean {
  return chatTemplateOf(files, tokenizerConfigOf(files, model)) !== undefined;
}

/**
 * transformers 5 writes chat_template.jinja beside the tokenizer; transformers 4 puts chat_template in
 * tokenizer_config.json, as a string or a list of named templates (the one named "default" is used).
 */
function chatTemplateOf(files: TokenizerFiles, config: Json): string | undefined {
  const file = files['chat_template.jinja'];
  if (file !== undefined && file.trim() !== '') return file;
  const value = config.chat_template;
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (Array.isArray(value)) {
    const named = value.find((t: unknown) => (t as { name?: unknown }).name === 'default') as
      { template?: unknown } | undefined;
    if (typeof named?.template === 'string') return named.template;
  }
  return undefined;
}

/** Fetches the tokenizer files from a source (through the cache) and builds the tokenizer. */
export async function loadTokenizerFrom(
  source: ModelSource,
  options: LoadOptions & LoadTokenizerOptions = {},
): Promise<TextTokenizer> {
  const files = await fetchTokenizerFiles(source, options);
  return loadTokenizer(files, { model: source.name, ...options });
}

/** Without a tokenizer_class, the model type decides (WordPiece is BERT's). */
function defaultClass(json: Json): string {
  return (json.model as Json | undefined)?.type === 'WordPiece' ? 'BertTokenizer' : 'PreTrainedTokenizer';
}
