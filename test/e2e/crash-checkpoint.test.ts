// The browser process killed (SIGKILL, not a clean close) while a checkpoint is being written: Chromium restarted
// on the same profile shows the run as interrupted, pointing at the previous complete checkpoint (the torn write
// left nothing behind), and the resumed run ends with the same weights as an uninterrupted one.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { repoRoot, sharedPath } from '../support/shared';
import { launchKillableChromium, type KillableChromium } from './browser';
import { trainField } from './harness/train-form';

const SHOTS = `${repoRoot}/test-results/crash-checkpoint`;

function smallSst2(n: number): Buffer {
  const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  return Buffer.from(`${lines.slice(0, n + 1).join('\n')}\n`);
}

const runStatus = (page: Page) => page.getByTestId('run-status').textContent();
const goTo = (page: Page, step: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: step }).click();

interface StoredState {
  runs: { id: string; status: string; last?: { step: number; key?: string } }[];
  checkpointKeys: [string, string][];
}

/** The runs and checkpoint keys as the app's database holds them. */
const stored = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<StoredState>((resolve, reject) => {
        const open = indexedDB.open('webtune');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['runs', 'checkpoints']);
          const runs = tx.objectStore('runs').getAll();
          const keys = tx.objectStore('checkpoints').getAllKeys();
          tx.oncomplete = () => {
            db.close();
            resolve({
              runs: (
                runs.result as {
                  id: string;
                  status: string;
                  lastCheckpoint?: { step: number; key?: string };
                }[]
              ).map((r) => ({ id: r.id, status: r.status, last: r.lastCheckpoint })),
              checkpointKeys: keys.result as [string, string][],
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

/** SHA-256 of a run's final weights (by tensor name), read from IndexedDB. */
const finalWeightsHash = (page: Page, runId: string) =>
  page.evaluate(async (id) => {
    const record = await new Promise<{ weights: Map<string, { data: Float32Array }> }>((resolve, reject) => {
      const open = indexedDB.open('webtune');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction('checkpoints').objectStore('checkpoints').get([id, 'final']);
        get.onsuccess = () => {
          open.result.close();
          resolve(get.result as { weights: Map<string, { data: Float32Array }> });
        };
        get.onerror = () => reject(get.error);
      };
    });
    const names = [...record.weights.keys()].sort();
    const parts = names.map((n) => {
      const d = record.weights.get(n)!.data;
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    });
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    const digest = await crypto.subtle.digest('SHA-256', all);
    return `${names.length}:${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }, runId);

async function openApp(chromium: KillableChromium): Promise<{ page: Page; errors: string[] }> {
  const context = chromium.browser.contexts()[0]!;
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  await page.goto(`${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=cpu`);
  return { page, errors };
}

describe('a browser killed during a checkpoint write', () => {
  const profile = mkdtempSync(join(tmpdir(), 'webtune-crash-'));
  let chromium: KillableChromium | undefined;
  afterAll(async () => {
    await chromium?.kill();
    rmSync(profile, { recursive: true, force: true });
  });

  // Two whole runs on the cpu backend (slow on purpose, to be killed mid-write): longer than the default limit.
  it('resumes from the previous complete checkpoint and ends with the weights of an uninterrupted run', async () => {
    mkdirSync(SHOTS, { recursive: true });
    chromium = await launchKillableChromium(profile);
    let { page } = await openApp(chromium);
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([{ name: 'sst2-54.csv', mimeType: 'text/csv', buffer: smallSst2(54) }]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/bert-tiny-mlm');
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await goTo(page, /Train/);
    await page.locator('details:has(> summary)').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    // 24 steps (48 training rows in batches of 4), a checkpoint every 2 (each one bert-tiny's weights and both
    // AdamW moments, about 53 MB). What is proven holds for any batch; small ones make the cpu backend's runs
    // shorter, and its steps still take far longer than the test needs to see a write start.
    await trainField(page, 'num_train_epochs').fill('2');
    await trainField(page, 'per_device_train_batch_size').fill('4');
    await trainField(page, 'eval_strategy').selectOption('no');
    await trainField(page, 'save_steps').fill('2');
    await trainField(page, 'save_seconds').fill('600');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');

    // A few checkpoints complete, then the browser dies the moment the page says the next one is being written.
    // Step 14 (into the second epoch), not earlier: small batches get there soon, and Chromium commits
    // localStorage to disk seconds after a write (a SIGKILL loses the rest), so the form saved before the start
    // needs that time to be on disk. The open run need not be: the page opens the run the crash cut off.
    await page.waitForFunction(
      () =>
        Number(
          /Last checkpoint: step (\d+)/.exec(
            document.querySelector('[data-testid="checkpoint-status"]')?.textContent ?? '',
          )?.[1] ?? 0,
        ) >= 14,
      undefined,
      { timeout: 240_000 },
    );
    const writing = await page.waitForFunction(
      () => {
        const line = document.querySelector('[data-testid="checkpoint-status"]');
        return line?.getAttribute('data-checkpoint-state') === 'writing'
          ? Number(/Saving the checkpoint of step (\d+)/.exec(line.textContent ?? '')?.[1])
          : false;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    const writingStep = (await writing.jsonValue()) as number;
    await chromium.kill();
    // Checkpoints are written one at a time: when step W's write starts, step W − 2's is complete.
    const previous = writingStep - 2;

    chromium = await launchKillableChromium(profile);
    ({ page } = await openApp(chromium));
    // The session comes back on the Train step, with the run open.
    await expect.poll(() => runStatus(page), { timeout: 60_000 }).toBe('interrupted');
    const row = page.getByTestId('run-row').first();
    const text = (await row.textContent()) ?? '';
    const from = Number(/resumes from step (\d+)/.exec(text)?.[1]);
    console.log(
      `Killed while writing the checkpoint of step ${writingStep}; the run resumes from step ${from}.`,
    );
    await page.screenshot({ path: `${SHOTS}/1-after-kill.png`, fullPage: true });
    expect(from).toBe(previous);
    // The database is consistent: one 'last' record, the one the run points at; nothing of the torn write.
    const state = await stored(page);
    const run = state.runs[0]!;
    expect(state.runs).toHaveLength(1);
    expect(run.last?.step).toBe(previous);
    const lasts = state.checkpointKeys.filter(([id, kind]) => id === run.id && kind.startsWith('last'));
    expect(lasts).toEqual([[run.id, run.last!.key!]]);

    await row.getByRole('button', { name: /^Resume / }).click();
    await expect.poll(() => runStatus(page), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('finished');
    await page.screenshot({ path: `${SHOTS}/2-resumed-finished.png`, fullPage: true });
    const resumed = await finalWeightsHash(page, run.id);

    // The same recipe, never interrupted (the form kept the settings across the crash).
    expect(await trainField(page, 'save_steps').inputValue()).toBe('2');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('finished');
    const fresh = (await stored(page)).runs.find((r) => r.id !== run.id)!;
    expect(await finalWeightsHash(page, fresh.id)).toBe(resumed);
  }, 600_000);
});
