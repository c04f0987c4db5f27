// The app as a product (issue 17), one page session through the steps this covers: the cleaning report merges
// label spellings and its counts add up to the split, the split names the classes it cannot validate, and the
// sample dataset gets a first visit going. Screenshots at 1280×800 and 390×844 go to test-results/product/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot, sharedModelDir } from '../support/shared';
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

const CLASSIFIER = 'webtune/tiny-random-bert-cls';
const reference = JSON.parse(readFileSync(join(sharedModelDir(CLASSIFIER), 'reference.json'), 'utf8')) as {
  texts: (string | [string, string])[];
  logits: number[][];
};

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

  it('cleans, splits and explains the data, starts from a sample, and reads the results', async () => {
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

    // Results: the fixture classifier's own head on a labelled file. What it predicts comes from PyTorch's
    // logits in reference.json (the random head picks one class for every text: a collapse to warn about).
    const field = page.getByLabel('Model', { exact: true });
    await field.fill(CLASSIFIER);
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await page
      .getByRole('navigation', { name: 'Steps' })
      .getByRole('button', { name: /Evaluate/ })
      .click();
    await page.getByRole('button', { name: 'Use the loaded model as it is' }).click();
    await page.getByTestId('results-model').waitFor();
    expect(await page.getByTestId('results-model').getByRole('listitem').allInnerTexts()).toEqual([
      'negative',
      'neutral',
      'positive',
    ]);
    const labels = ['negative', 'neutral', 'positive'];
    const texts = reference.texts.filter((t): t is string => typeof t === 'string');
    const truth = ['negative', 'neutral', 'positive', 'positive'].slice(0, texts.length);
    const predicted = reference.logits
      .filter((_l, i) => typeof reference.texts[i] === 'string')
      .map((row) => labels[row.indexOf(Math.max(...row))]!);
    const expected = labels.map((t) =>
      labels.map((p) => truth.filter((l, i) => l === t && predicted[i] === p).length),
    );
    await page.getByLabel('Evaluate on a labelled file').setInputFiles({
      name: 'check.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`text,label\n${texts.map((t, i) => `"${t}",${truth[i]}`).join('\n')}\n`),
    });
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });
    const matrix = page.getByRole('table', { name: /Confusion matrix/ });
    const cells = await matrix
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => [Number(td.dataset.count), td.textContent]),
        ),
      );
    // Counts (on hover) as PyTorch predicts, and each cell the share of its row.
    expect(cells.map((r) => r.map(([n]) => n))).toEqual(expected);
    expected.forEach((row, t) => {
      const total = row.reduce((a, b) => a + b, 0);
      expect(cells[t]!.map(([, text]) => text)).toEqual(row.map((n) => `${Math.round((n / total) * 100)}%`));
    });
    const mistakes = labels.flatMap((t, ti) =>
      labels.flatMap((p, pi) =>
        ti !== pi && expected[ti]![pi]! > 0 ? [`${t} → ${p}: ${expected[ti]![pi]}`] : [],
      ),
    );
    expect(await page.getByTestId('top-confusions').getByRole('listitem').allInnerTexts()).toEqual(mistakes);
    const counts = labels.map((_l, p) => predicted.filter((x) => x === labels[p]).length);
    const top = Math.max(...counts);
    if (top / predicted.length >= 0.9) {
      expect(await page.getByTestId('one-class-warning').innerText()).toContain(
        `The model predicts ${labels[counts.indexOf(top)]} for ${Math.round((top / predicted.length) * 100)} % of the examples`,
      );
    } else expect(await page.getByTestId('one-class-warning').count()).toBe(0);
    // The per-class table sorts by a column, lowest first, and reverses on a second click.
    const perClass = page.getByRole('table', { name: 'Per-class scores' });
    const f1 = async () =>
      await perClass
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((tr) => Number(tr.querySelectorAll('td')[2]!.textContent)));
    await perClass.getByRole('button', { name: 'F1' }).click();
    const ascending = await f1();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(await perClass.getByRole('columnheader', { name: /F1/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await perClass.getByRole('button', { name: 'F1' }).click();
    expect(await f1()).toEqual([...ascending].reverse());
    await screenshots(page, '3-evaluate');

    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
