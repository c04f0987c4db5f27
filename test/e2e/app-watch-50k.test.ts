// The Watch charts with 50,000 logged steps: the data is appended to the same uPlot charts (never re-created)
// and every point reaches the store. The frame gaps are printed for the record; timings are not asserted.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callInPage, launchChromium, openPage } from './browser';
import type { stream50k } from './harness/watch-50k';

describe('the Watch charts at 50,000 points', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('append 50,000 training logs and 50 evaluations to the same four charts', async () => {
    const { page, errors } = await openPage(browser, `${inject('devUrl')}/`);
    const r = await callInPage<Awaited<ReturnType<typeof stream50k>>>(
      page,
      '/test/e2e/harness/watch-50k.ts',
      'stream50k',
    );
    console.log(
      `Watch at 50,000 points: ${r.frames} frames, median ${r.medianFrameMs.toFixed(1)} ms, ` +
        `p95 ${r.p95FrameMs.toFixed(1)} ms, max ${r.maxFrameMs.toFixed(1)} ms between frames`,
    );
    expect(r.canvases).toBe(4);
    expect(r.sameCanvases).toBe(true);
    expect(r.lossPoints).toBe(50_000);
    expect(r.evalPoints).toBe(50);
    expect(r.frames).toBe(100);
    expect(errors).toEqual([]);
  });
});
