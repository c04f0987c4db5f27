// The app as a product (issue 17), one page session through the steps this covers: the cleaning report merges
// label spellings and its counts add up to the split, the split names the classes it cannot validate, and the
// sample dataset gets a first visit going. Screenshots at 1280×800 and 390×844 go to test-results/product/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage } from './browser';

const shots = join(repoRoot, 'test-results', 'product');

/** Full-page screenshots at a desktop and a phone width. */
async function screenshots(page: Page, name: string) {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function importCsv(page: Page, name: string, csv: string) {
  await page
    .getByLabel('Dataset files', { exact: true })
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('region', { name: `Dataset ${name}` }).waitFor();
  await page.getByTestId('validation-count').waitFor();
}

const numbers = (text: string | null) => (text ?? '').match(/\d+/g)!.map(Number);

describe('the app as a product', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('cleans, splits and explains the data, and starts from a sample', async () => {
    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`,
    );
    await page.getByText('No datasets stored yet.').waitFor();

    // Three spellings of positive, a row without a label, and a text that would conflict only unmerged.
    const messy = [
      'text,label',
      'great film,positive',
      'lovely,POSITIVE',
      'great film,"Positive "',
      'a joy,positive',
      'dull,negative',
      'awful,negative',
      'boring,negative',
      'no label here,',
      ...Array.from({ length: 12 }, (_v, i) => `filler ${i},${i % 2 ? 'positive' : 'negative'}`),
    ].join('\n');
    await importCsv(page, 'messy.csv', messy);
    const spelling = page.getByTestId('label-spelling');
    await spelling.waitFor();
    expect(await spelling.innerText()).toMatch(/^3 spellings of positive merged/);
    expect(
      await page
        .getByRole('table', { name: 'Class counts per split' })
        .getByRole('rowheader')
        .allInnerTexts(),
    ).toEqual(['negative', 'positive', 'Total']);
    // The blocking problem's fix is ticked; the merged copy is a duplicate, not a conflict.
    expect(await page.getByLabel('Drop the 1 row without a label').isChecked()).toBe(true);
    expect(await page.locator('[data-issue="conflicts"]').count()).toBe(0);
    expect(await page.locator('[data-issue="duplicates"]').innerText()).toMatch(/1 row, dropped/);
    // 20 rows: 18 kept, 2 dropped; and the 18 are the split's total.
    expect(numbers(await page.getByTestId('cleaning-summary').textContent())).toEqual([20, 18, 2]);
    const train = Number(await page.getByTestId('train-count').textContent());
    const validation = Number(await page.getByTestId('validation-count').textContent());
    expect(train + validation).toBe(18);
    expect(await page.getByRole('button', { name: 'Use this dataset' }).isEnabled()).toBe(true);
    await screenshots(page, '1-data-cleaning');

    // Many small classes: the share reached, and the classes the split cannot measure, by name.
    const classes = [
      ...Array.from({ length: 40 }, (_v, i) => `big a ${i},alpha`),
      ...Array.from({ length: 40 }, (_v, i) => `big b ${i},beta`),
      'pair one,gamma',
      'pair two,gamma',
      'alone,delta',
    ];
    await importCsv(page, 'classes.csv', ['text,label', ...classes].join('\n'));
    // alpha 4, beta 4, gamma 1 (rounded up from 0.2), delta 0 of 83 rows: 9 / 83 = 10.8 %.
    expect(await page.getByTestId('split-summary').innerText()).toMatch(
      /^Validation: 9 of 83 rows \(10\.8 %; asked for 10 %\).*1 class got one row above its share/,
    );
    const warnings = await page.getByTestId('split-warning').allInnerTexts();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^1 class too small to validate .*: delta\.$/);
    expect(warnings[1]).toMatch(/^1 class validated on a single row .*: gamma\.$/);
    await screenshots(page, '2-data-split');

    // The sample: imported like a dropped file, clean, and ready to use.
    await page.getByRole('button', { name: 'Try with movie reviews' }).click();
    await page.getByRole('region', { name: 'Dataset movie-reviews.csv' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(async () => numbers(await page.getByTestId('cleaning-summary').textContent()))
      .toEqual([300, 300, 0]);
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    await expect
      .poll(() =>
        page.getByRole('navigation', { name: 'Steps' }).locator('[aria-current="step"]').textContent(),
      )
      .toContain('Model');

    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
