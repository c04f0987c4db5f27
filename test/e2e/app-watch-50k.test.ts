// The Watch charts with 50,000 logged steps: the data is appended to the same uPlot charts (never re-created)
// and every point reaches the store. The frame gaps are printed for the record; timings are not asserted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callInPage, launchChromium, openPage } from './browser';
import type { stream50k } from './harness/watch-50k';
import { repoRoot } from '../support/shared';

const shots = join(repoRoot, 'test-results', 'product');

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
    // Placeholders until the first point; then all four charts on the same x range, 0 to the last step, with
    // an epoch marker every 1,000 steps (the harness logs epoch = step / 1000).
    expect(r.placeholdersBefore).toBe(4);
    expect(r.placeholdersAfter).toBe(0);
    expect(r.xRanges).toEqual(Array(4).fill('0,50000'));
    expect(r.epochEnds).toEqual(Array.from({ length: 50 }, (_v, i) => (i + 1) * 1000));

    // A drag across the loss chart zooms all four to the same steps; Reset zoom brings back the full range.
    const ranges = () =>
      page
        .locator('#watch-50k [data-x-range]')
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.xRange));
    const over = page.locator('#watch-50k .u-over').first();
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = await ranges();
    const [from, to] = zoomed[0]!.split(',').map(Number);
    // A quarter to a half of 0…50,000 steps, give or take a pixel's worth.
    expect(Math.abs(from! - 12_500)).toBeLessThan(500);
    expect(Math.abs(to! - 25_000)).toBeLessThan(500);
    expect(zoomed).toEqual(Array(4).fill(zoomed[0]));
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    expect(await ranges()).toEqual(Array(4).fill('0,50000'));
    mkdirSync(shots, { recursive: true });
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.locator('#watch-50k').evaluate((e) => ((e as HTMLElement).style.width = '100%'));
      await page.locator('#watch-50k').screenshot({ path: join(shots, `4-watch-50k-${width}.png`) });
    }
    expect(errors).toEqual([]);
  });
});
