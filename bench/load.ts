// How long loading webtune/bert-tiny-mlm (config, 17.7 MB safetensors, tokenizer files) takes from the local
// Hub mirror: cold (nothing cached), cached in a folder (a new process), cached in memory, and the tokenizer
// build; and the same model through the built app in Chromium (Model field → facts shown), cold and after a
// reload, when the Cache API serves it. `npx tsx bench/load.ts` prints the table; `loadSuite` plugs into
// bench/run.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderCache } from '../src/cli/node-cache';
import { MemoryCache } from '../src/core/hub/cache';
import { hubSource } from '../src/core/hub/http-source';
import { loadPretrained } from '../src/core/hub/load';
import { loadTokenizer } from '../src/core/tokenize/tokenizer';
import { build, preview } from 'vite';
import { launchChromium } from '../test/e2e/browser';
import { startHubMirror, type HubMirror } from '../test/support/hub-mirror';
import { repoRoot } from '../test/support/shared';

const MODEL = 'webtune/bert-tiny-mlm';
const REPS = 5;

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPS / 2)]!;
}

export const loadSuite = {
  name: 'load bert-tiny-mlm from the local mirror',
  async run() {
    const hub = await startHubMirror();
    const source = hubSource(MODEL, { endpoint: hub.url });
    const folders: string[] = [];
    const freshFolder = () => {
      const folder = mkdtempSync(join(tmpdir(), 'webtune-bench-'));
      folders.push(folder);
      return folder;
    };
    try {
      await loadPretrained(source); // warm the JIT and the OS page cache of the fixture
      const noCache = await median(() => loadPretrained(source));
      const coldFolder = await median(() =>
        loadPretrained(source, { cache: new FolderCache(freshFolder()) }),
      );
      const warmFolder = freshFolder();
      await loadPretrained(source, { cache: new FolderCache(warmFolder) });
      const before = hub.requests.length;
      const cachedFolder = await median(() => loadPretrained(source, { cache: new FolderCache(warmFolder) }));
      const requestsWhenCached = hub.requests.length - before;
      const memory = new MemoryCache();
      await loadPretrained(source, { cache: memory });
      const cachedMemory = await median(() => loadPretrained(source, { cache: memory }));
      const { tokenizerFiles } = await loadPretrained(source, { cache: memory });
      const tokenizer = await median(async () => loadTokenizer(tokenizerFiles));
      const ms = (x: number) => Number(x.toFixed(1));
      return [
        { case: 'cold, no cache', ms: ms(noCache) },
        { case: 'cold, writing the folder cache', ms: ms(coldFolder) },
        { case: 'cached, folder (new process)', ms: ms(cachedFolder), requests: requestsWhenCached },
        { case: 'cached, memory', ms: ms(cachedMemory) },
        { case: 'build the tokenizer', ms: ms(tokenizer) },
        ...(await appLoadCases(hub)),
      ];
    } finally {
      await hub.close();
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    }
  },
};

/** The app's own path in Chromium: type the id, press Enter, wait for the facts; then reload and again. */
async function appLoadCases(hub: HubMirror) {
  await build({ root: repoRoot, logLevel: 'warn' });
  const server = await preview({ root: repoRoot, preview: { host: '127.0.0.1', port: 0 } });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.resolvedUrls?.local[0]}?hub=${hub.url}&backend=wasm`);
    const loadOnce = async () => {
      await page.getByRole('button', { name: /Model/ }).click();
      const field = page.getByLabel('Model', { exact: true });
      await field.fill(MODEL);
      const t0 = performance.now();
      await field.press('Enter');
      await page.getByTestId('model-facts').waitFor({ timeout: 120_000 });
      return performance.now() - t0;
    };
    const cold = await loadOnce();
    const before = hub.requests.length;
    await page.reload();
    const cached = await loadOnce();
    const requests = hub.requests.filter((r, i) => i >= before && r.startsWith('GET')).length;
    return [
      { case: 'app in Chromium, cold', ms: Number(cold.toFixed(1)) },
      { case: 'app in Chromium, cached (Cache API)', ms: Number(cached.toFixed(1)), requests },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await loadSuite.run());
  process.exit(0);
}
