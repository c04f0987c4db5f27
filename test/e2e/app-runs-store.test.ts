// The runs store (src/core/storage/runs.ts) on Chromium's real IndexedDB: listing order, log flushes, a checkpoint
// that drops the logs past it and keeps the best weights, a failed write that leaves nothing, rename, resumability
// and a delete that removes logs and checkpoints with the run.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callInPage, launchChromium, openPage } from './browser';
import type { exerciseRunsStore } from './harness/runs-store';

describe('the runs store in IndexedDB', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('stores runs, logs and checkpoints consistently', async () => {
    const { page, errors } = await openPage(browser, `${inject('devUrl')}/`);
    const r = await callInPage<Awaited<ReturnType<typeof exerciseRunsStore>>>(
      page,
      '/test/e2e/harness/runs-store.ts',
      'exerciseRunsStore',
      'webtune-runs-store-test',
    );
    const [a, b] = r.ids;
    expect(r.order).toEqual([b, a]); // newest first
    expect(r.flushed).toEqual([1, 2, 3, 4, 5]);
    expect(r.afterCheckpoint).toEqual([1, 2, 3]);
    expect(r.stored).toEqual({
      status: 'paused',
      globalStep: 3,
      logCount: 3,
      lastCheckpoint: 3,
      bestCheckpoint: { step: 3, metric: 'eval_f1', value: 0.75 },
    });
    expect(r.last).toEqual([7, 8, 9]);
    expect(r.best).toEqual([{ name: 'classifier.weight', shape: [2, 2], data: [1, 2, 3, 4] }]);
    expect(r.later).toEqual({ last: 4, best: 3, logCount: 4 });
    expect(r.missingError).toMatch(/Run run-missing is not stored/);
    expect(r.orphanLogs).toBe(0);
    expect(r.orphanCheckpoint).toBe(true);
    expect(r.renamed).toBe('second');
    expect(r.emptyNameError).toMatch(/cannot be empty/);
    expect(r.resumable).toEqual({
      pausedWithCheckpoint: true,
      interruptedWithout: false,
      activeIsNot: false,
      interruptedWith: true,
    });
    expect(r.afterDelete).toEqual({ runs: [b], logs: 0, last: true, best: true });
    expect(errors).toEqual([]);
  });
});
