// The Runs panel in Chromium over an in-memory source: compare two runs (curves overlaid by uPlot, settings
// side by side), rename one, delete one.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../support/shared';
import { callInPage, launchChromium, openPage } from './browser';

describe('the Runs panel', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('compares, renames and deletes runs', async () => {
    const { page, errors, offMachine } = await openPage(browser, `${inject('devUrl')}/`);
    await callInPage(page, '/test/e2e/harness/results-runs.tsx', 'mountRuns');
    const table = page.getByRole('table', { name: 'Stored runs' });
    await table.waitFor();
    // Newest first.
    expect(await table.getByRole('rowheader').allInnerTexts()).toEqual([
      expect.stringContaining('lr 5e-5'),
      expect.stringContaining('lr 1e-4'),
    ]);

    await page.getByRole('checkbox', { name: 'Compare lr 1e-4' }).check();
    await page.getByRole('checkbox', { name: 'Compare lr 5e-5' }).check();
    const comparison = page.getByTestId('run-comparison');
    await comparison.getByText('Compare 2 runs').waitFor();
    // uPlot draws on a canvas; its legend names both runs, in the list's order. eval_f1 is shown first when logged.
    await comparison.locator('canvas').first().waitFor();
    expect(await comparison.locator('.u-legend .u-label').allInnerTexts()).toEqual([
      'step',
      'lr 5e-5',
      'lr 1e-4',
    ]);
    expect(await comparison.getByLabel('Metric').inputValue()).toBe('eval_f1');
    await comparison.getByLabel('Metric').selectOption('loss');
    expect(await comparison.locator('.overlay-figure figcaption strong').innerText()).toBe('loss');
    const shots = join(repoRoot, 'test-results', 'results-panels');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'runs.png'), fullPage: true });
    const settings = page.getByRole('table', { name: 'Settings side by side' });
    const lr = settings.getByRole('row', { name: /learning_rate/ });
    expect(await lr.getByRole('cell').allInnerTexts()).toEqual(['0.00005', '0.0001']);

    page.once('dialog', (dialog) => void dialog.accept('baseline'));
    await page.getByRole('button', { name: 'Rename lr 1e-4' }).click();
    await table.getByRole('rowheader', { name: /baseline/ }).waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete lr 5e-5' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('[aria-label="Stored runs"] tbody tr').length === 1,
    );
    expect(await table.getByRole('rowheader').allInnerTexts()).toEqual([expect.stringContaining('baseline')]);

    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
