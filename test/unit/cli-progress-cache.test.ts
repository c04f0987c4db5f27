// The progress line's figures and the tokenised-data cache key: what the key depends on (dataset, tokenizer,
// max length) and that a second call reads the stored ids instead of tokenising again.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDuration, formatProgress } from '../../src/cli/progress';
import { tokenizeCached, tokenizedCacheKey } from '../../src/cli/tokenize-cache';
import type { Example } from '../../src/core/data/prepare';
import { loadTokenizer, type TextTokenizer } from '../../src/core/tokenize/tokenizer';
import { readFixtureModel } from '../support/export-inputs';

const dir = mkdtempSync(join(tmpdir(), 'webtune-cli-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('progress line', () => {
  it('shows steps, epoch, loss, samples/s and ETA', () => {
    const line = formatProgress(
      {
        step: 30,
        totalSteps: 120,
        epoch: 0.75,
        loss: 0.51234,
        samplesPerSecond: 41.25,
        etaSeconds: 3725,
        phase: 'training',
      },
      8,
    );
    expect(line).toBe('[##......] step 30/120 | epoch 0.75 | loss 0.5123 | 41.3 samples/s | ETA 1:02:05');
    expect(formatProgress({ step: 0, totalSteps: 10, epoch: 0, phase: 'evaluating' }, 4)).toBe(
      '[....] step 0/10 | epoch 0.00 | loss - | - samples/s | ETA --:-- | evaluating',
    );
    expect(formatDuration(59.6)).toBe('01:00');
  });
});

describe('tokenised-data cache', () => {
  const model = readFixtureModel('webtune/tiny-random-bert-cls');
  const files: Record<string, string> = {};
  for (const [name, bytes] of model.files)
    if (name !== 'config.json') files[name] = new TextDecoder().decode(bytes);
  const tokenizer: TextTokenizer = loadTokenizer(files, { maxLength: 16 });
  const train: Example[] = [
    { text: 'a fine film', label: 1 },
    { text: 'a dull film', text2: 'really', label: 0 },
  ];
  const validation: Example[] = [{ text: 'fine', label: 1 }];

  it('keys on the examples, the tokenizer files and the max length', () => {
    const key = tokenizedCacheKey([train, validation], files, 16);
    expect(tokenizedCacheKey([train, validation], files, 16)).toBe(key);
    expect(tokenizedCacheKey([train, validation], files, 17)).not.toBe(key);
    expect(tokenizedCacheKey([train, [{ text: 'fine', label: 0 }]], files, 16)).not.toBe(key);
    expect(
      tokenizedCacheKey([train, validation], { ...files, 'vocab.txt': `${files['vocab.txt']}x` }, 16),
    ).not.toBe(key);
    // Moving a row from one set to the other is another dataset.
    expect(tokenizedCacheKey([[...train, ...validation], []], files, 16)).not.toBe(key);
  });

  it('tokenises once, then reads the same ids back', async () => {
    const first = await tokenizeCached(tokenizer, files, [train, validation], 16, dir);
    expect(first.cached).toBe(false);
    expect(readdirSync(join(dir, 'webtune-tokenized'))).toHaveLength(1);
    const second = await tokenizeCached(tokenizer, files, [train, validation], 16, dir);
    expect(second.cached).toBe(true);
    expect(second.sets).toEqual(first.sets);
    const direct = tokenizer.encode(['a dull film'], ['really']);
    expect(first.sets[0]![1]).toEqual({
      inputIds: direct.input_ids[0],
      tokenTypeIds: direct.token_type_ids![0],
      label: 0,
    });
  });
});
