// Tokenises the examples once and keeps the result in the cache folder, keyed by what determines it: the
// examples (texts and labels), the tokenizer's files and the maximum length. A second run of the same
// dataset × tokenizer × length reads the ids back instead of tokenising again.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Example } from '../core/data/prepare';
import type { TokenizerFiles } from '../core/hub';
import type { TextTokenizer } from '../core/tokenize/tokenizer';
import type { TokenizedExample } from '../core/train/batching';
import { TOKENIZED_FORMAT, tokenizeExamples } from '../core/train/tokenize-examples';
import { defaultCacheDir } from './node-cache';

export function tokenizedCacheKey(
  sets: readonly (readonly Example[])[],
  tokenizerFiles: TokenizerFiles,
  maxLength: number,
): string {
  const hash = createHash('sha256');
  hash.update(`${TOKENIZED_FORMAT}\0${maxLength}\0`);
  for (const name of Object.keys(tokenizerFiles).sort()) hash.update(`${name}\0${tokenizerFiles[name]}\0`);
  for (const set of sets) {
    hash.update(`set\0${set.length}\0`);
    for (const ex of set) hash.update(`${ex.label}\0${ex.text}\0${ex.text2 ?? '\u0001'}\0`);
  }
  return hash.digest('hex');
}

export interface TokenizedSets {
  sets: TokenizedExample[][];
  /** Whether they came from the cache. */
  cached: boolean;
}

/** The tokenised sets from `<cache>/webtune-tokenized/<key>.json`, or tokenised now and stored there. */
export async function tokenizeCached(
  tokenizer: TextTokenizer,
  tokenizerFiles: TokenizerFiles,
  sets: readonly (readonly Example[])[],
  maxLength: number,
  cacheDir = defaultCacheDir(),
): Promise<TokenizedSets> {
  const folder = join(cacheDir, 'webtune-tokenized');
  const path = join(folder, `${tokenizedCacheKey(sets, tokenizerFiles, maxLength)}.json`);
  const stored = await readFile(path, 'utf8').catch(() => undefined);
  if (stored !== undefined) {
    try {
      const parsed = JSON.parse(stored) as { format: string; sets: TokenizedExample[][] };
      if (parsed.format === TOKENIZED_FORMAT && parsed.sets.length === sets.length)
        return { sets: parsed.sets, cached: true };
    } catch {
      // A damaged cache entry is simply made again.
    }
  }
  const tokenized = sets.map((set) => tokenizeExamples(tokenizer, set, maxLength));
  try {
    await mkdir(folder, { recursive: true });
    const temporary = `${path}.${process.pid}.partial`;
    await writeFile(temporary, JSON.stringify({ format: TOKENIZED_FORMAT, sets: tokenized }));
    await rename(temporary, path);
  } catch (error) {
    process.stderr.write(`warning: could not cache the tokenised data: ${(error as Error).message}\n`);
  }
  return { sets: tokenized, cached: false };
}
