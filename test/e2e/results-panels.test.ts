// Evaluate, Playground and Export in the built app, driven as a person would without training: load the fixture
// classifier webtune/tiny-random-bert-cls from the local Hub mirror, use its own head as it is, and check the
// probabilities against the PyTorch reference logits, the bulk CSV, a labelled-file evaluation, and the
// "Download model" zip's layout. Screenshots of each panel go to test-results/results-panels/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import Papa from 'papaparse';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot, sharedModelDir } from '../support/shared';
import { launchChromium, openPage } from './browser';

const ID = 'webtune/tiny-random-bert-cls';
const reference = JSON.parse(readFileSync(join(sharedModelDir(ID), 'reference.json'), 'utf8')) as {
  texts: (string | [string, string])[];
  logits: number[][];
};
const softmax = (row: number[]) => {
  const e = row.map((x) => Math.exp(x - Math.max(...row)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
};
const shots = join(repoRoot, 'test-results', 'results-panels');

async function bytesOf(download: Download): Promise<Buffer> {
  const path = await download.path();
  if (!path) throw new Error(`the download ${download.suggestedFilename()} was not saved`);
  return readFileSync(path);
}

async function step(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'Steps' })
    .getByRole('button', { name: new RegExp(name) })
    .click();
}

describe('the results panels', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('predict, evaluate and download the model of a loaded classifier', async () => {
    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`,
    );
    await step(page, 'Model');
    const field = page.getByLabel('Model', { exact: true });
    await field.fill(ID);
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });

    await step(page, 'Evaluate');
    await page.getByRole('button', { name: 'Use the loaded model as it is' }).click();
    await page.getByTestId('results-model').waitFor();
    expect(await page.getByTestId('results-model').getByRole('listitem').allInnerTexts()).toEqual([
      'negative',
      'neutral',
      'positive',
    ]);

    // Playground: one text, every class's probability, as the reference model gives it.
    const text = reference.texts[0] as string;
    await page.getByLabel('Text to classify').fill(text);
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const bars = page.getByTestId('probabilities');
    await bars.waitFor();
    const shown: Record<string, number> = await bars.evaluate((ul) =>
      Object.fromEntries(
        [...ul.querySelectorAll('li')].map((li) => [li.dataset.label, Number(li.dataset.probability)]),
      ),
    );
    const expected = softmax(reference.logits[0] as number[]);
    expect(Object.values(shown).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    ['negative', 'neutral', 'positive'].forEach((label, c) =>
      expect(Math.abs((shown[label] as number) - (expected[c] as number))).toBeLessThan(1e-4),
    );

    // Bulk: a CSV in, one prediction row per input row out.
    const inputs = reference.texts.filter((t): t is string => typeof t === 'string');
    const csv = `text\n${inputs.map((t) => `"${t.replace(/"/g, '""')}"`).join('\n')}\n`;
    const [bulk] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByLabel(/Predict a file/)
        .setInputFiles({ name: 'bulk.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }),
    ]);
    expect(bulk.suggestedFilename()).toBe('bulk-predictions.csv');
    const rows = Papa.parse<string[]>((await bytesOf(bulk)).toString('utf8'), { skipEmptyLines: true }).data;
    expect(rows[0]).toEqual([
      'text',
      'predicted_label',
      'probability',
      'prob_negative',
      'prob_neutral',
      'prob_positive',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(inputs);

    // Evaluate on a labelled file: the table, the matrix, the mistakes and the weakest classes appear.
    const labelled = inputs
      .map((t, i) => `"${t}",${['negative', 'neutral', 'positive', 'positive'][i]}`)
      .join('\n');
    await page.getByLabel('Evaluate on a labelled file').setInputFiles({
      name: 'check.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`text,label\n${labelled}\n`),
    });
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('table', { name: 'Per-class scores' }).getByRole('row').count()).toBe(4);
    const matrix = page.getByRole('table', { name: /Confusion matrix/ });
    expect(await matrix.getByRole('rowheader').allInnerTexts()).toEqual(['negative', 'neutral', 'positive']);
    expect(await page.getByTestId('weakest-classes').innerText()).toMatch(/weakest class/);
    await page.screenshot({ path: join(shots, 'evaluate-playground.png'), fullPage: true });

    // Export: "Download model" gives the Hugging Face folder as a zip.
    await step(page, 'Export');
    const [zip] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'Download model', exact: true }).click(),
    ]);
    expect(zip.suggestedFilename()).toBe('tiny-random-bert-cls-webtune.zip');
    const entries = unzipSync(new Uint8Array(await bytesOf(zip)));
    const names = Object.keys(entries).map((n) => n.replace(/^tiny-random-bert-cls\//, ''));
    for (const file of [
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
      'README.md',
      'training_args.json',
      'metrics.json',
    ]) {
      expect(names).toContain(file);
    }
    const config = JSON.parse(new TextDecoder().decode(entries['tiny-random-bert-cls/config.json'])) as {
      id2label: Record<string, string>;
    };
    expect(config.id2label).toEqual({ 0: 'negative', 1: 'neutral', 2: 'positive' });
    await page.getByTestId('export-done').waitFor();
    await page.screenshot({ path: join(shots, 'export.png'), fullPage: true });

    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
