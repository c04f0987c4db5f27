// The tokenisation cache's packed form: what goes in comes out, for BERT rows with token type ids (single
// texts and pairs) and RoBERTa rows without, also through a structured clone (what IndexedDB stores).
import { describe, expect, it } from 'vitest';
import { localFolderSource } from '../../src/cli/local-source';
import type { Example } from '../../src/core/data/prepare';
import { loadTokenizerFrom } from '../../src/core/tokenize/tokenizer';
import { packExamples, unpackExamples } from '../../src/core/train/packed-tokens';
import { tokenizeExamples } from '../../src/core/train/tokenize-examples';
import { sharedModelDir } from '../support/shared';

const examples: Example[] = [
  { text: 'a quietly moving film', label: 1 },
  { text: 'Nothing here works, not even the jokes.', text2: 'Was it funny?', label: 0 },
  { text: '', label: 2 },
  { text: 'the long and winding road '.repeat(20), text2: 'short', label: 1 },
];

describe('packed tokenised examples', () => {
  for (const id of ['webtune/bert-tiny-mlm', 'webtune/tiny-random-roberta-bpe-cls']) {
    it(`${id}: unpack(pack(rows)) gives the rows back, also after a structured clone`, async () => {
      const tokenizer = await loadTokenizerFrom(localFolderSource(sharedModelDir(id)));
      const rows = tokenizeExamples(tokenizer, examples, 32);
      expect(rows[3]!.inputIds).toHaveLength(32); // truncated, so the offsets are not all alike
      const packed = packExamples(rows);
      expect(packed.ids).toHaveLength(rows.reduce((n, r) => n + r.inputIds.length, 0));
      expect(packed.tokenTypeIds !== undefined).toBe(rows[0]!.tokenTypeIds !== undefined);
      expect(unpackExamples(packed)).toEqual(rows);
      expect(unpackExamples(structuredClone(packed))).toEqual(rows);
    });
  }

  it('packs an empty set and refuses inconsistent input', () => {
    expect(unpackExamples(packExamples([]))).toEqual([]);
    const packed = packExamples([{ inputIds: [1, 2, 3], label: 0 }]);
    expect(() => unpackExamples({ ...packed, ids: packed.ids.subarray(0, 2) })).toThrow(/inconsistent/);
    expect(() => packExamples([{ inputIds: [1, 2], attentionMask: [1, 0], label: 0 }])).toThrow(/padded/);
    expect(() => packExamples([{ inputIds: [1, 2], tokenTypeIds: [0, 2], label: 0 }])).toThrow(/0 and 1/);
  });
});
