// The tokenisation cache (src/core/storage/tokenized.ts) on Chromium's real IndexedDB: the key follows what
// determines the ids, entries read back as stored, one entry per dataset, deleted with the dataset, and a
// database of the previous version upgrades without losing its datasets.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callInPage, launchChromium, openPage } from './browser';
import type { exerciseTokenizedStore, exerciseUpgradeFromVersion2 } from './harness/tokenized-store';

describe('the tokenisation cache in IndexedDB', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keys, stores, replaces and deletes tokenised sets', async () => {
    const { page, errors } = await openPage(browser, `${inject('devUrl')}/`);
    const r = await callInPage<Awaited<ReturnType<typeof exerciseTokenizedStore>>>(
      page,
      '/test/e2e/harness/tokenized-store.ts',
      'exerciseTokenizedStore',
      'webtune-tokenized-test',
    );
    expect(r.keys).toEqual({
      same: true,
      otherLength: true,
      otherTokenizer: true,
      otherRoles: true,
      otherDataset: true,
    });
    expect(r.typed).toBe(true);
    expect(r.readBack).toEqual([
      [
        { inputIds: [101, 7592, 102], tokenTypeIds: [0, 0, 0], label: 1 },
        { inputIds: [101, 2023, 102, 2008, 102], tokenTypeIds: [0, 0, 0, 1, 1], label: 0 },
      ],
      [],
    ]);
    expect(r.afterReplace).toEqual({ count: 1, oldGone: true, newRows: 1 });
    expect(r.afterDelete).toEqual({ ds1: 0, ds2: 1 });

    const u = await callInPage<Awaited<ReturnType<typeof exerciseUpgradeFromVersion2>>>(
      page,
      '/test/e2e/harness/tokenized-store.ts',
      'exerciseUpgradeFromVersion2',
      'webtune-upgrade-test',
    );
    expect(u).toEqual({
      // Through every later upgrade: version 3's tokenised sets, version 4's TXT texts (one document per file).
      version: 4,
      stores: ['checkpoints', 'datasetRows', 'datasetTexts', 'datasets', 'runLogs', 'runs', 'tokenized'],
      kept: 'ds-old.csv',
      defaultName: 'webtune',
    });
    expect(errors).toEqual([]);
  });
});
