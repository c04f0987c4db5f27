// Debian's Chromium driven by playwright-core, with WebGPU on SwiftShader. Every page opened here records its
// errors and any request that leaves 127.0.0.1, so each test can assert that neither happened.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WEBTUNE_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run 'apt-get install -y chromium libvulkan1'.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console errors seen on the page or in its workers. */
  errors: string[];
  /** Requests to anywhere but 127.0.0.1. */
  offMachine: string[];
}

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const watched: WatchedPage = { page, errors: [], offMachine: [] };
  page.on('pageerror', (err) => watched.errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') watched.errors.push(`console error: ${msg.text()}`);
  });
  context.on('request', (request) => {
    const { protocol, hostname } = new URL(request.url());
    if ((protocol === 'http:' || protocol === 'https:') && hostname !== '127.0.0.1') {
      watched.offMachine.push(request.url());
    }
  });
  await page.goto(url);
  return watched;
}

/**
 * Imports a source module (served by the Vite dev server at `inject('devUrl')`) inside the page and calls one of
 * its exports with JSON-serialisable arguments. Written as a string because Vitest rewrites `import()` in test
 * files, including inside functions handed to page.evaluate.
 */
export async function callInPage<T>(page: Page, modulePath: string, exportName: string, ...args: unknown[]) {
  return page.evaluate(
    async ({ modulePath, exportName, args }) => {
      const importModule = new Function('p', 'return import(p)') as (
        p: string,
      ) => Promise<Record<string, unknown>>;
      const module = await importModule(modulePath);
      const fn = module[exportName];
      if (typeof fn !== 'function') throw new Error(`${modulePath} has no exported function ${exportName}`);
      return (await fn(...args)) as unknown;
    },
    { modulePath, exportName, args },
  ) as Promise<T>;
}
