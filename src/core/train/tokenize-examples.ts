// Texts → the trainer's tokenised rows, unpadded (each batch is padded to its own longest row later) and
// truncated to maxLength with the special tokens kept. One definition for the worker, the CLI and predictions.
import type { Example } from '../data/prepare';
import type { TextTokenizer } from '../tokenize/tokenizer';
import type { TokenizedExample, TokenizedInputs } from './batching';

/** Names the form of cached tokenised data (CLI and app): bump it when tokenisation or preparation changes. */
export const TOKENIZED_FORMAT = 'webtune-tokenized-v1';

/** Each text (or text pair, `pairs[i]` with `texts[i]`) on its own: ids and, for BERT, token type ids. */
export function tokenizeTexts(
  tokenizer: TextTokenizer,
  texts: readonly string[],
  pairs: readonly (string | undefined)[] | undefined,
  maxLength: number,
): TokenizedInputs[] {
  if (pairs && pairs.length !== texts.length)
    throw new Error(`${texts.length} texts but ${pairs.length} second texts`);
  return texts.map((text, i) => {
    const pair = pairs?.[i];
    const batch = tokenizer.encode([text], pair === undefined ? undefined : [pair], { maxLength });
    const row: TokenizedInputs = { inputIds: batch.input_ids[0]! };
    if (batch.token_type_ids) row.tokenTypeIds = batch.token_type_ids[0]!;
    return row;
  });
}

/** Labelled examples → tokenised rows carrying their label index. */
export function tokenizeExamples(
  tokenizer: TextTokenizer,
  examples: readonly Example[],
  maxLength: number,
): TokenizedExample[] {
  const rows = tokenizeTexts(
    tokenizer,
    examples.map((ex) => ex.text),
    examples.map((ex) => ex.text2),
    maxLength,
  );
  return rows.map((row, i) => ({ ...row, label: (examples[i] as Example).label }));
}
