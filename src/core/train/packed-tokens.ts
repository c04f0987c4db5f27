// Tokenised examples packed into a few typed arrays, the form they are cached in: IndexedDB clones a typed
// array as one block, where an array of small objects costs a clone per row and per id.
import type { TokenizedExample } from './batching';

export interface PackedExamples {
  /** Row i's ids are ids[offsets[i] .. offsets[i + 1]). */
  offsets: Int32Array;
  ids: Int32Array;
  /** Token type ids aligned with ids, when the tokenizer makes them (BERT). */
  tokenTypeIds?: Uint8Array;
  labels: Int32Array;
}

export function packExamples(rows: readonly TokenizedExample[]): PackedExamples {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, i) => (offsets[i + 1] = (offsets[i] as number) + row.inputIds.length));
  const total = offsets[rows.length] as number;
  const ids = new Int32Array(total);
  const withTypes = rows.length > 0 && rows.every((row) => row.tokenTypeIds !== undefined);
  const tokenTypeIds = withTypes ? new Uint8Array(total) : undefined;
  rows.forEach((row, i) => {
    if (row.attentionMask && row.attentionMask.some((m) => m !== 1))
      throw new Error(`Example ${i} has a padded attention mask; only unpadded rows are packed`);
    const at = offsets[i] as number;
    ids.set(row.inputIds, at);
    if (tokenTypeIds && row.tokenTypeIds) {
      if (row.tokenTypeIds.some((t) => t !== 0 && t !== 1))
        throw new Error(`Example ${i} has token type ids other than 0 and 1`);
      tokenTypeIds.set(row.tokenTypeIds, at);
    }
  });
  const labels = Int32Array.from(rows, (row) => row.label);
  return tokenTypeIds ? { offsets, ids, tokenTypeIds, labels } : { offsets, ids, labels };
}

export function unpackExamples(packed: PackedExamples): TokenizedExample[] {
  const { offsets, ids, tokenTypeIds, labels } = packed;
  if (offsets.length !== labels.length + 1 || offsets[labels.length] !== ids.length)
    throw new Error('The packed examples are inconsistent (offsets, ids and labels disagree)');
  return Array.from(labels, (label, i) => {
    const start = offsets[i] as number;
    const end = offsets[i + 1] as number;
    const row: TokenizedExample = { inputIds: Array.from(ids.subarray(start, end)), label };
    if (tokenTypeIds) row.tokenTypeIds = Array.from(tokenTypeIds.subarray(start, end));
    return row;
  });
}
