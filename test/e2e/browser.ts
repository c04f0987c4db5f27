// Debian's Chromium driven by playwright-core, with WebGPU on SwiftShader. Every page opened here records its
// errors and any request that leaves 127.0.0.1, so each test can assert that neither happened.
import { spawn } from 'node:child_process';
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

export interface KillableChromium {
  browser: Browser;
  /** SIGKILL to the browser and every process it started: no clean shutdown, as when the machine loses power. */
  kill(): Promise<void>;
}

/**
 * Chromium started by hand on a profile folder (so IndexedDB and the Cache API live on disk and survive the
 * process) and driven over CDP, so that the test can kill it outright rather than close it.
 */
export async function launchKillableChromium(userDataDir: string): Promise<KillableChromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  const child = spawn(
    CHROMIUM,
    [
      ...FLAGS,
      '--headless=new',
      `--user-data-dir=${userDataDir}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${text}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before it listened: ${text}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    kill: async () => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      await exited;
    },
  };
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console errors seen on the page or in its workers. */
  errors: string[];
  /** Requests to anywhere but 127.0.0.1. */
  offMachine: string[];
}

// The loader asks for files a model may or may not have (chat_template.jinja, generation_config.json, …); the
// Hub answers 404 for those it lacks, and the browser logs each 404. That is an answer, not an error. (The
// adapter field probes adapter_config.json to tell a PEFT adapter from a model repo.)
const OPTIONAL_FILES =
  /\/(chat_template\.jinja|generation_config\.json|tokenizer_config\.json|special_tokens_map\.json|vocab\.txt|vocab\.json|merges\.txt|adapter_config\.json)$/;

function isOptionalFileProbe(text: string, url: string): boolean {
  return text.startsWith('Failed to load resource') && text.includes('404') && OPTIONAL_FILES.test(url);
}

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const watched: WatchedPage = { page, errors: [], offMachine: [] };
  page.on('pageerror', (err) => watched.errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !isOptionalFileProbe(msg.text(), msg.location().url))
      watched.errors.push(`console error: ${msg.text()}`);
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
