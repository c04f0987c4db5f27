import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localFolderSource } from '../../src/cli/local-source';
import { fetchTokenizerFiles } from '../../src/core/hub/load';
import { normaliseTokenizerJson } from '../../src/core/tokenize/tokenizer-json';
import { loadTokenizer, loadTokenizerFrom, truncateLongestFirst } from '../../src/core/tokenize/tokenizer';
import { sharedModelDir } from '../support/shared';

interface Reference {
  texts: (string[] | string)[];
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
}

function reference(id: string) {
  const ref = JSON.parse(readFileSync(join(sharedModelDir(id), 'reference.json'), 'utf8')) as Reference;
  const rows = ref.texts.map((t) => (Array.isArray(t) ? t : [t]));
  return { ref, texts: rows.map((r) => r[0]!), pairs: rows.map((r) => r[1]) };
}

/** The fixture's tokenizer files with only the named ones kept (a model that ships only its vocabulary). */
async function filesOf(id: string, keep?: string[]) {
  const files = await fetchTokenizerFiles(localFolderSource(sharedModelDir(id)));
  if (!keep) return files;
  const dir = sharedModelDir(id);
  return Object.fromEntries(keep.map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

describe('tokenizers match the reference ids', () => {
  it('BERT WordPiece (bert-tiny-mlm): single texts and a pair, padded to 24', async () => {
    const { ref, texts, pairs } = reference('webtune/bert-tiny-mlm');
    const tokenizer = await loadTokenizerFrom(localFolderSource(sharedModelDir('webtune/bert-tiny-mlm')));
    // Encoded one row at a time (a pair needs its own call) and padded to the reference's fixed length.
    const rows = texts.map((text, i) =>
      tokenizer.encode([text], pairs[i] === undefined ? undefined : [pairs[i]!], {
        padding: 'max_length',
        maxLength: 24,
      }),
    );
    expect(rows.map((r) => r.input_ids[0])).toEqual(ref.input_ids);
    expect(rows.map((r) => r.attention_mask[0])).toEqual(ref.attention_mask);
    expect(rows.map((r) => r.token_type_ids![0])).toEqual(ref.token_type_ids);
  });

  it('BERT from vocab.txt + tokenizer_config.json alone gives the same ids', async () => {
    const { ref, texts, pairs } = reference('webtune/bert-tiny-mlm');
    const files = await filesOf('webtune/bert-tiny-mlm', ['vocab.txt', 'tokenizer_config.json']);
    const tokenizer = loadTokenizer(files, { model: 'vocab-only bert' });
    const singles = tokenizer.encode(texts.slice(0, 4), undefined, { padding: 'max_length', maxLength: 24 });
    expect(singles.input_ids).toEqual(ref.input_ids.slice(0, 4));
    const pair = tokenizer.encode([texts[4]!], [pairs[4]!], { padding: 'max_length', maxLength: 24 });
    expect(pair.input_ids[0]).toEqual(ref.input_ids[4]);
    expect(pair.token_type_ids![0]).toEqual(ref.token_type_ids![4]);
  });

  it('RoBERTa byte-level BPE: a batch padded to its longest row, and a pair with </s></s>', async () => {
    const { ref, texts, pairs } = reference('webtune/tiny-random-roberta-bpe-cls');
    const tokenizer = loadTokenizer(await filesOf('webtune/tiny-random-roberta-bpe-cls'));
    const singles = tokenizer.encode(texts.slice(0, 4), undefined, { padding: 'max_length', maxLength: 19 });
    expect(singles.input_ids).toEqual(ref.input_ids.slice(0, 4));
    expect(singles.attention_mask).toEqual(ref.attention_mask.slice(0, 4));
    expect(singles.token_type_ids).toBeUndefined();
    expect(tokenizer.encode([texts[4]!], [pairs[4]!]).input_ids[0]).toEqual(ref.input_ids[4]);
    // Dynamic padding: the four single texts pad to their longest row, 17.
    const dynamic = tokenizer.encode(texts.slice(0, 4));
    expect(dynamic.input_ids[0]!.length).toBe(17);
    expect(dynamic.input_ids).toEqual(ref.input_ids.slice(0, 4).map((row) => row.slice(0, 17)));
  });

  it('RoBERTa from vocab.json + merges.txt + tokenizer_config.json alone gives the same ids', async () => {
    const { ref, texts, pairs } = reference('webtune/tiny-random-roberta-bpe-cls');
    const files = await filesOf('webtune/tiny-random-roberta-bpe-cls', [
      'vocab.json',
      'merges.txt',
      'tokenizer_config.json',
    ]);
    const tokenizer = loadTokenizer(files);
    const singles = tokenizer.encode(texts.slice(0, 4), undefined, { padding: 'max_length', maxLength: 19 });
    expect(singles.input_ids).toEqual(ref.input_ids.slice(0, 4));
    expect(tokenizer.encode([texts[4]!], [pairs[4]!]).input_ids[0]).toEqual(ref.input_ids[4]);
  });

  it('GPT-2 with merges stored as pairs loads once normalised, and encodes to the GPT-2 ids', async () => {
    const files = await filesOf('sshleifer/tiny-gpt2');
    const json = JSON.parse(files['tokenizer.json']!) as { model: { merges: unknown[] } };
    expect(Array.isArray(json.model.merges[0])).toBe(true); // the form transformers.js 2.17.2 cannot read
    const normalised = normaliseTokenizerJson(json) as { model: { merges: unknown[] } };
    expect(normalised.model.merges[0]).toBe((json.model.merges[0] as string[]).join(' '));
    const tokenizer = loadTokenizer(files, { model: 'sshleifer/tiny-gpt2' });
    // GPT-2's well-known ids: "Hello" 15496, " world" 995; pads with <|endoftext|> 50256.
    const batch = tokenizer.encode(['Hello world', 'Hello']);
    expect(batch.input_ids).toEqual([
      [15496, 995],
      [15496, 50256],
    ]);
    expect(batch.attention_mask).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  it('the other uncased-vocabulary fixtures (bert-tiny, MiniLM) give the same ids', async () => {
    const { ref, texts } = reference('webtune/bert-tiny-mlm');
    for (const id of ['prajjwal1/bert-tiny', 'sentence-transformers/all-MiniLM-L6-v2']) {
      const tokenizer = loadTokenizer(await filesOf(id), { model: id });
      const batch = tokenizer.encode(texts.slice(0, 4), undefined, { padding: 'max_length', maxLength: 24 });
      expect(batch.input_ids, id).toEqual(ref.input_ids.slice(0, 4));
    }
  });
});

describe('truncation and padding', () => {
  it('keeps the special tokens and cuts the longer text of a pair first', async () => {
    const tokenizer = loadTokenizer(await filesOf('webtune/bert-tiny-mlm'));
    const long = 'one two three four five six seven eight nine ten';
    const batch = tokenizer.encode([long, 'short'], [long, 'pair'], { maxLength: 10 });
    const [first, second] = batch.input_ids as [number[], number[]];
    expect(first).toHaveLength(10);
    expect([first[0], first.filter((id) => id === 102).length, first[9]]).toEqual([101, 2, 102]);
    // 7 places left for two texts of 10 tokens: the Rust tokenizers give the first 3 and the second 4.
    expect(batch.token_type_ids![0]!.filter((t) => t === 0)).toHaveLength(1 + 3 + 1);
    expect(second.slice(0, 5)).toEqual(tokenizer.encode(['short'], ['pair']).input_ids[0]);
    expect(second.slice(5)).toEqual([0, 0, 0, 0, 0]);
    expect(truncateLongestFirst(['a', 'b', 'c'], null, 2)).toEqual([['a', 'b'], null]);
    // A short first text fits in half the budget and is kept whole; the long second text takes the rest.
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`);
    expect(truncateLongestFirst(words(2), words(20), 8).map((x) => x!.length)).toEqual([2, 6]);
    expect(truncateLongestFirst(words(20), words(5), 7).map((x) => x!.length)).toEqual([4, 3]);
  });

  it('pads to a multiple and to max_length, and keeps long rows whole without truncation', async () => {
    const tokenizer = loadTokenizer(await filesOf('webtune/bert-tiny-mlm'));
    expect(tokenizer.encode(['ok'], undefined, { padToMultipleOf: 8 }).input_ids[0]).toHaveLength(8);
    expect(tokenizer.encode(['ok'], undefined, { padding: 'max_length', maxLength: 6 }).input_ids[0]).toEqual(
      [101, 7929, 102, 0, 0, 0],
    );
    const text = 'a b c d e f g h';
    expect(
      tokenizer.encode([text], undefined, { maxLength: 4, truncation: false }).input_ids[0],
    ).toHaveLength(10);
    expect(tokenizer.maxLength).toBe(512); // model_max_length 1e30 in the config means "no limit"
  });
});
