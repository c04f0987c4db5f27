// Training on the webgpu backend (SwiftShader here, so a tiny random model and two steps): the run finishes in the
// worker after its shader warm-up, the status line named the warm-up, and the page logs no error. The longest
// main-thread task is printed for the record.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage } from './browser';
import { trainField } from './harness/train-form';

describe('the Train step on webgpu', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('trains a tiny model in the worker after warming up the shaders', async () => {
    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=webgpu`,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend') === 'webgpu',
    );
    const rows = Array.from(
      { length: 24 },
      (_v, i) => `${i % 2 ? 'good' : 'bad'} film ${i},${i % 2 ? 'pos' : 'neg'}`,
    );
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([
        { name: 'tiny.csv', mimeType: 'text/csv', buffer: Buffer.from(`text,label\n${rows.join('\n')}\n`) },
      ]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-bert-cls');
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    expect(await page.getByTestId('train-backend').textContent()).toMatch(/^WebGPU: /);
    await trainField(page, 'num_train_epochs').fill('1');
    await trainField(page, 'max_length').fill('16');
    await page.evaluate(() => {
      const w = window as unknown as { longest: number };
      w.longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await page.getByText('Warming up').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 240_000, interval: 1000 })
      .toBe('finished');
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(latest.epoch).toBeCloseTo(1, 5);
    expect(Number.isFinite(latest.eval_loss)).toBe(true);
    const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
    console.log(
      `Longest main-thread task while training on webgpu: ${longest ? `${longest.toFixed(0)} ms` : 'none over 50 ms'}`,
    );
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
