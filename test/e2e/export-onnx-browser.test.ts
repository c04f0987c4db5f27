// The downloaded model in a web page: the app's "Download model" zip, unpacked and served by this test beside
// small pages that import transformers.js v2 and v3 (their browser builds, ONNX Runtime Web on wasm, all
// served from 127.0.0.1) and run pipeline('text-classification', folder). Its probabilities are the app's Playground's:
// within 1e-4 from onnx/model.onnx, and close (same order of magnitude as 8-bit noise) from the default
// onnx/model_quantized.onnx (v3: dtype 'fp32' and 'q8'). Screenshots go to test-results/export-onnx/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage } from './browser';

const ID = 'webtune/tiny-random-bert-cls';
const FOLDER = 'tiny-random-bert-cls';
const TEXTS = [
  'The movie was a delight from start to finish.',
  'Terrible service; I will never come back!',
  'Stocks rallied on Tuesday after the central bank held rates.',
];
const shots = join(repoRoot, 'test-results', 'export-onnx');

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A page that loads transformers.js (v2 or v3, browser builds served from 127.0.0.1) and exposes classify(). */
function page(version: 2 | 3): string {
  const options = version === 2 ? '{ quantized }' : "{ dtype: quantized ? 'q8' : 'fp32', device: 'wasm' }";
  const topK = version === 2 ? '{ topk: 3 }' : '{ top_k: 3 }';
  return `<!doctype html>
<meta charset="utf-8">
<title>transformers.js v${version} on a WebTune export</title>
<pre id="out">loading…</pre>
<script type="module">
  import { env, pipeline } from '/tjs${version}/transformers.min.js';
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = '/models/';
  env.useBrowserCache = false;
  env.backends.onnx.wasm.wasmPaths = '/tjs${version}/';
  env.backends.onnx.wasm.numThreads = 1;
  window.classify = async (texts, quantized) => {
    const classifier = await pipeline('text-classification', '${FOLDER}', ${options});
    const out = await classifier(texts, ${topK});
    document.getElementById('out').textContent = JSON.stringify(out, null, 1);
    return out;
  };
  window.version = env.version;
  window.ready = true;
</script>`;
}

/** Serves the page, transformers.js' browser build and the unpacked export. */
function serve(modelsDir: string): Promise<{ server: Server; url: string }> {
  const roots: [string, string][] = [
    ['/tjs2/', join(repoRoot, 'node_modules', '@xenova', 'transformers', 'dist')],
    ['/tjs3/', join(repoRoot, 'node_modules', '@huggingface', 'transformers', 'dist')],
    ['/models/', modelsDir],
  ];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/v2' || path === '/v3') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(path === '/v2' ? 2 : 3));
      return;
    }
    const root = roots.find(([prefix]) => path.startsWith(prefix));
    const file = root && normalize(join(root[1], path.slice(root[0].length)));
    if (!root || !file || !file.startsWith(root[1])) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) throw new Error('the page server has no address');
      resolve({ server, url: `http://127.0.0.1:${address.port}` });
    }),
  );
}

async function step(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Steps' })
    .getByRole('button', { name: new RegExp(name) })
    .click();
}

type Scores = { label: string; score: number }[][];

describe('the downloaded model in transformers.js in the browser', () => {
  let browser: Browser;
  let work: string;
  let server: Server | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    work = mkdtempSync(join(tmpdir(), 'webtune-onnx-e2e-'));
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("gives the Playground's probabilities", async () => {
    const app = await openPage(browser, `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`);
    const { page } = app;
    await step(page, 'Model');
    const field = page.getByLabel('Model', { exact: true });
    await field.fill(ID);
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await step(page, 'Evaluate');
    await page.getByRole('button', { name: 'Use the loaded model as it is' }).click();
    await page.getByTestId('results-model').waitFor();

    // The Playground's probabilities, text by text.
    const playground: Record<string, number>[] = [];
    for (const text of TEXTS) {
      const before = await page.evaluate(
        () => document.querySelector('[data-testid="probabilities"]')?.innerHTML ?? '',
      );
      await page.getByLabel('Text to classify').fill(text);
      await page.getByRole('button', { name: 'Predict', exact: true }).click();
      // Each text gives other probabilities: wait for the bars to change from the previous text's.
      await page.waitForFunction(
        (previous) => (document.querySelector('[data-testid="probabilities"]')?.innerHTML ?? '') !== previous,
        before,
      );
      playground.push(
        await page
          .getByTestId('probabilities')
          .evaluate((ul) =>
            Object.fromEntries(
              [...ul.querySelectorAll('li')].map((li) => [li.dataset.label, Number(li.dataset.probability)]),
            ),
          ),
      );
    }

    // The model card reports an evaluation: score the texts as a small labelled file first.
    const labelled = TEXTS.map((t, i) => `"${t}",${['positive', 'negative', 'neutral'][i]}`).join('\n');
    await page.getByLabel('Evaluate on a labelled file').setInputFiles({
      name: 'check.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`text,label\n${labelled}\n`),
    });
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });

    await step(page, 'Export');
    const downloaded = page.waitForEvent('download', { timeout: 120_000 });
    downloaded.catch(() => undefined); // awaited below; a failed export throws first
    await page.getByRole('button', { name: 'Download model', exact: true }).click();
    // The export either finishes or says why not; a failure's message beats a download timeout.
    await page
      .locator('[data-testid="export-done"], .results-panel [role="alert"]')
      .first()
      .waitFor({ timeout: 120_000 });
    const alert = page.locator('.results-panel [role="alert"]');
    if ((await alert.count()) > 0) throw new Error(`the export failed: ${await alert.first().innerText()}`);
    const download = await downloaded;
    await page.getByTestId('export-files').waitFor();
    const listed = await page
      .getByTestId('export-files')
      .locator('tr[data-file]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-file')));
    expect(listed).toEqual(expect.arrayContaining(['onnx/model.onnx', 'onnx/model_quantized.onnx']));
    await page.screenshot({ path: join(shots, 'export-step.png'), fullPage: true });
    const zipPath = await download.path();
    if (!zipPath) throw new Error('the zip was not saved');
    for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(zipPath))))) {
      if (name.endsWith('/')) continue;
      const target = join(work, 'models', name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    expect(app.errors).toEqual([]);
    expect(app.offMachine).toEqual([]);

    const served = await serve(join(work, 'models'));
    server = served.server;
    for (const version of [2, 3] as const) {
      const web = await openPage(browser, `${served.url}/v${version}`);
      await web.page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      const loaded = await web.page.evaluate(() => (window as unknown as { version: string }).version);
      expect(loaded.startsWith(`${version}.`), `transformers.js ${loaded}`).toBe(true);
      const run = (quantized: boolean) =>
        web.page.evaluate(
          ({ texts, quantized }) =>
            (window as unknown as { classify: (t: string[], q: boolean) => Promise<unknown> }).classify(
              texts,
              quantized,
            ),
          { texts: TEXTS, quantized },
        ) as Promise<Scores>;
      const fp32 = await run(false);
      const q8 = await run(true);
      await web.page.screenshot({ path: join(shots, `transformersjs-v${version}-page.png`), fullPage: true });
      const worst = (scores: Scores) =>
        Math.max(
          ...scores.flatMap((row, i) =>
            row.map(({ label, score }) => Math.abs(score - playground[i]![label]!)),
          ),
        );
      console.log(
        `transformers.js ${loaded} in Chromium vs the Playground: float32 max |Δp| ${worst(fp32).toExponential(2)}, ` +
          `8-bit ${worst(q8).toExponential(2)}`,
      );
      expect(fp32.map((row) => row[0]!.label)).toEqual(
        playground.map((p) => Object.entries(p).sort((a, b) => b[1] - a[1])[0]![0]),
      );
      expect(worst(fp32)).toBeLessThan(1e-4);
      expect(worst(q8)).toBeLessThan(0.01);
      expect(web.errors).toEqual([]);
      expect(web.offMachine).toEqual([]);
      await web.page.context().close();
    }
  });
});
