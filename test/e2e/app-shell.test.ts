import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage } from './browser';

describe('the app in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('gets a WebGPU adapter and runs the webgpu backend when asked, saying it is a software one', async () => {
    // The app's own choice passes SwiftShader over (app-look.test.ts); asking for webgpu gets it.
    const { page, errors, offMachine } = await openPage(browser, `${inject('appUrl')}/?backend=webgpu`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('WebTune');

    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? { vendor: a.info.vendor, architecture: a.info.architecture } : null;
    });
    expect(adapter).not.toBeNull();

    const status = page.getByTestId('backend');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend'),
    );
    expect(await status.getAttribute('data-backend')).toBe('webgpu');
    expect(await status.textContent()).toContain('WebGPU: ');
    // SwiftShader is the CPU standing in for a GPU: the page says so, offers wasm, and never says "your GPU".
    expect(await page.getByTestId('backend-choice').innerText()).toMatch(/software .*Use wasm instead/);
    expect(await page.getByRole('link', { name: 'Use wasm instead' }).getAttribute('href')).toBe(
      '?backend=wasm',
    );
    expect(await page.locator('body').innerText()).not.toMatch(/your (own )?GPU/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    const steps = await page.getByRole('navigation', { name: 'Steps' }).getByRole('button').allTextContents();
    expect(steps.map((s) => s.replace(/^\d+\s*/, ''))).toEqual([
      'Data',
      'Model',
      'Train',
      'Evaluate',
      'Export',
    ]);
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });

  it('falls back to wasm when asked, and says it was asked', async () => {
    const { page, errors } = await openPage(browser, `${inject('appUrl')}/?backend=wasm`);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend'),
    );
    expect(await page.getByTestId('backend').getAttribute('data-backend')).toBe('wasm');
    // The worker runs the threaded SIMD build, one thread per logical core (its pthreads are real workers).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = cores === 1 ? '1 thread' : `${cores} threads`;
    expect(await page.getByTestId('backend').textContent()).toBe(`wasm, ${threads} (as requested)`);
    expect(errors).toEqual([]);
  });
});
