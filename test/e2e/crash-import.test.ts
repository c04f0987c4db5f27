// The browser process killed (SIGKILL) in the middle of an import: Chromium restarted on the same profile lists no
// half-imported dataset, and the app's first start removes what the torn import wrote (its staging record and row
// chunks), because no import holds that dataset's lock any more. Importing again then works.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { launchKillableChromium, type KillableChromium } from './browser';

/** What the datasets stores hold: each dataset's id and status, and how many row chunks there are. */
const stored = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ datasets: { id: string; status: string }[]; chunks: number }>((resolve, reject) => {
        const open = indexedDB.open('webtune');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['datasets', 'datasetRows']);
          const datasets = tx.objectStore('datasets').getAll();
          const chunks = tx.objectStore('datasetRows').count();
          tx.oncomplete = () => {
            open.result.close();
            resolve({
              datasets: (datasets.result as { id: string; status: string }[]).map((d) => ({
                id: d.id,
                status: d.status,
              })),
              chunks: chunks.result,
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

async function openApp(chromium: KillableChromium): Promise<Page> {
  const page = await chromium.browser.contexts()[0]!.newPage();
  await page.goto(`${inject('appUrl')}/?backend=wasm`);
  return page;
}

describe('a browser killed during an import', () => {
  const profile = mkdtempSync(join(tmpdir(), 'webtune-crash-import-'));
  let chromium: KillableChromium | undefined;
  afterAll(async () => {
    await chromium?.kill();
    rmSync(profile, { recursive: true, force: true });
  });

  it('leaves no half-imported dataset, and the next start sweeps its rows', async () => {
    chromium = await launchKillableChromium(profile);
    let page = await openApp(chromium);
    // About 120 MB of rows, made in the page (too large to send over CDP): the import takes seconds, so it is
    // caught half-way. The file goes to the picker as a person's would.
    await page.getByLabel('Dataset files', { exact: true }).evaluate((input) => {
      const line = 'a fairly long review text that keeps the importer busy for a while, row ';
      const rows = Array.from({ length: 1_500_000 }, (_v, i) => `${line}${i},${i % 2 ? 'pos' : 'neg'}`);
      const picked = new DataTransfer();
      picked.items.add(new File([`text,label\n${rows.join('\n')}\n`], 'big.csv', { type: 'text/csv' }));
      (input as HTMLInputElement).files = picked.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    // Rows are being written (progress moved, chunks stored under a staging record)…
    await page.waitForFunction(
      () =>
        Number((document.getElementById('import-progress') as HTMLProgressElement | null)?.value ?? 0) > 0,
      undefined,
      { timeout: 60_000, polling: 50 },
    );
    await expect
      .poll(async () => (await stored(page)).chunks, { timeout: 30_000, interval: 50 })
      .toBeGreaterThan(0);
    const during = await stored(page);
    expect(during.datasets.map((d) => d.status)).toEqual(['staging']);
    // …and the browser dies.
    await chromium.kill();

    chromium = await launchKillableChromium(profile);
    page = await openApp(chromium);
    await page.getByLabel('Dataset files', { exact: true }).waitFor();
    // The first start found a staging record whose import holds no lock: it is gone, with its rows.
    await expect.poll(async () => (await stored(page)).datasets.length, { timeout: 30_000 }).toBe(0);
    expect((await stored(page)).chunks).toBe(0);
    expect(await page.getByRole('button', { name: 'big.csv', exact: true }).count()).toBe(0);

    // A new import works as usual.
    await page.getByLabel('Dataset files', { exact: true }).setInputFiles([
      {
        name: 'small.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          `text,label\n${Array.from({ length: 50 }, (_v, i) => `review ${i},${i % 2 ? 'pos' : 'neg'}`).join('\n')}\n`,
        ),
      },
    ]);
    await page.getByTestId('validation-count').waitFor({ timeout: 60_000 });
    const after = await stored(page);
    expect(after.datasets.map((d) => d.status)).toEqual(['ready']);
  });
});
