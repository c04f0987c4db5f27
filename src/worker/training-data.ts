// Prepared examples (texts and label ids) → the trainer's tokenised examples, once per run: no padding here
// (the trainer pads each batch to its longest row), truncation that keeps the special tokens.
import type { Example } from '../core/data/prepare';
import type { TokenizedExample } from '../core/train/batching';
import type { TextTokenizer } from '../core/tokenize/tokenizer';

export function tokenizeExamples(
  tokenizer: TextTokenizer,
  examples: readonly Example[],
  maxLength: number,
): TokenizedExample[] {
  return examples.map((example) => {
    const encoded = tokenizer.encode(
      [example.text],
      example.text2 === undefined ? undefined : [example.text2],
      { maxLength, padding: 'longest', truncation: true },
    );
    const out: TokenizedExample = {
      inputIds: encoded.input_ids[0] as number[],
      attentionMask: encoded.attention_mask[0] as number[],
      label: example.label,
    };
    if (encoded.token_type_ids) out.tokenTypeIds = encoded.token_type_ids[0] as number[];
    return out;
  });
}

/** The longest sequence a run keeps: what the person chose, within the model's positions and tokenizer. */
export function effectiveMaxLength(requested: number, modelMax: number): number {
  if (!Number.isInteger(requested) || requested < 8)
    throw new Error(`max_length must be an integer of at least 8 tokens, got ${requested}`);
  return Math.min(requested, modelMax);
}
