import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackendInfo } from '../../src/core/backend';
import { callInPage, launchChromium, openPage } from './browser';

// The core modules, loaded as source by the Vite dev server, running in Chromium on WebGPU.
describe('core modules inside Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('initialise the webgpu backend on the browser adapter', async () => {
    const { page, errors } = await openPage(browser, `${inject('devUrl')}/`);
    const info = await callInPage<BackendInfo>(page, '/src/core/backend.ts', 'initBackend', {
      prefer: 'webgpu',
    });
    expect(info.name).toBe('webgpu');
    expect(info.adapter).toContain('swiftshader');
    expect(errors).toEqual([]);
  });
});
