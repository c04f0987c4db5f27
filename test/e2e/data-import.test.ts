// The Data step in real Chromium with the real IndexedDB: import the shared fixtures (CSV, GLUE TSV, Parquet,
// TXT class files), reload and find them listed with the same row counts; every bad file raises its own alert
// and leaves the stored datasets listed; "Use this dataset" moves on to the model step.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedPath } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';

type Upload = string | { name: string; mimeType: string; buffer: Buffer };

async function listed(page: Page): Promise<Record<string, number>> {
  // One read of the whole list, so a re-render in between cannot leave a locator waiting.
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[aria-label="Stored datasets"] [data-testid="dataset"]')].map((li) => [
        li.getAttribute('data-name'),
        Number(li.getAttribute('data-rows')),
      ]),
    ),
  );
}

async function importFiles(page: Page, files: Upload[]): Promise<void> {
  const input = page.getByLabel('Dataset files', { exact: true });
  await input.setInputFiles(files as never);
  // Done when the progress is gone and the input is enabled again.
  await page.waitForFunction(
    () =>
      !document.querySelector('#import-progress') &&
      !document.querySelector<HTMLInputElement>('#dataset-files')?.disabled,
  );
  expect(await input.isEnabled()).toBe(true);
}

async function waitForListed(page: Page, name: string): Promise<number> {
  await page
    .getByTestId('dataset')
    .and(page.locator(`[data-name="${name}"]`))
    .waitFor();
  return (await listed(page))[name]!;
}

async function alerts(page: Page): Promise<string[]> {
  return page.getByRole('alert').allTextContents();
}

const text = (name: string, content: string | Uint8Array): Upload => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: Buffer.from(content),
});

describe('the Data step', () => {
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  const expected: Record<string, number> = {};

  beforeAll(async () => {
    browser = await launchChromium();
    watched = await openPage(browser, inject('appUrl'));
    page = watched.page;
    await page.getByText('No datasets stored yet.').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('imports CSV, the GLUE TSV, Parquet and TXT class files, and lists them by file name', async () => {
    await importFiles(page, [sharedPath('datasets', 'sst2', 'original', 'dev.tsv')]);
    expected['dev.tsv'] = await waitForListed(page, 'dev.tsv');
    expect(expected['dev.tsv']).toBe(872);

    await importFiles(page, [sharedPath('datasets', 'rte', 'original', 'validation.parquet')]);
    expected['validation.parquet'] = await waitForListed(page, 'validation.parquet');
    expect(expected['validation.parquet']).toBe(277);

    await importFiles(page, [sharedPath('datasets', 'emotion', 'validation.csv')]);
    expected['validation.csv'] = await waitForListed(page, 'validation.csv');
    expect(expected['validation.csv']).toBe(2000);

    await importFiles(page, [
      text('positive.txt', 'great\nlovely film\nfine\n'),
      text('negative.txt', 'awful\nboring\n'),
    ]);
    expected['positive.txt + negative.txt'] = await waitForListed(page, 'positive.txt + negative.txt');
    expect(expected['positive.txt + negative.txt']).toBe(5);
    // The TXT dataset is selected after its import: two classes from the two file names.
    const counts = page.getByRole('table', { name: 'Class counts per split' });
    await counts.getByRole('rowheader', { name: 'negative' }).waitFor();
    expect(await counts.getByRole('rowheader').allTextContents()).toEqual(['negative', 'positive', 'Total']);
    expect(await alerts(page)).toEqual([]);
  });

  it('keeps them across a reload, with the same row counts', async () => {
    await page.reload();
    await page.getByTestId('dataset').first().waitFor();
    expect(await listed(page)).toEqual(expected);
    expect(await page.getByTestId('storage-info').textContent()).toMatch(
      /Storage: \d+\.\d MB used of \d+\.\d MB available/,
    );
  });

  const badFiles: [string, Upload, RegExp][] = [
    [
      'an unclosed quote',
      text('quote.csv', 'text,label\nfine,a\n"never closed,b\nmore,a\n'),
      /quote\.csv.*row 2.*never closed/,
    ],
    [
      'binary garbage',
      text(
        'garbage.csv',
        Uint8Array.from({ length: 2048 }, (_v, i) => (i * 7919) % 256),
      ),
      /garbage\.csv is binary/,
    ],
    ['a header without rows', text('header.csv', 'text,label\n'), /header\.csv has a header.*but no rows/],
    [
      'no column that could be text',
      text('numbers.csv', 'a,b\n1,2\n3,4\n'),
      /numbers\.csv has no column that could be text/,
    ],
    [
      'an unsupported extension',
      text('sheet.xlsx', 'PK\u0003\u0004'),
      /sheet\.xlsx: '\.xlsx' files are not supported/,
    ],
    [
      'an encoding that does not decode',
      text('latin1.csv', Buffer.from('text,label\ncaf\xe9,a\n', 'latin1')),
      /latin1\.csv is not valid UTF-8.*line 2/,
    ],
    [
      'invalid JSON',
      text('bad.json', '[{"text": "a", "label": 1},\n{"text": }]'),
      /bad\.json is not valid JSON \(line 2\)/,
    ],
  ];

  for (const [what, file, message] of badFiles) {
    it(`refuses ${what} with a specific alert and keeps the stored datasets`, async () => {
      await importFiles(page, [file]);
      const shown = await alerts(page);
      expect(shown.join('\n')).toMatch(message);
      expect(await listed(page)).toEqual(expected);
    });
  }

  it('offers to skip broken JSONL lines, saying how many, then imports the rest', async () => {
    const jsonl = [
      '{"text":"a","label":"x"}',
      '{"text":"b",',
      '{"text":"c","label":"y"}',
      'nope',
      '{"text":"d","label":"x"}',
    ].join('\n');
    await importFiles(page, [text('broken.jsonl', jsonl)]);
    expect((await alerts(page)).join('\n')).toMatch(
      /broken\.jsonl: 2 lines are not a JSON object \(lines 2, 4\)/,
    );
    expect(await listed(page)).toEqual(expected);
    await page.getByRole('button', { name: 'Skip the 2 broken lines and import' }).click();
    expected['broken.jsonl'] = await waitForListed(page, 'broken.jsonl');
    expect(expected['broken.jsonl']).toBe(3);
  });

  it('alerts on a file with one class only and on empty labels, and blocks "Use this dataset"', async () => {
    await importFiles(page, [text('oneclass.csv', 'text,label\na,x\nb,x\nc,x\n')]);
    expected['oneclass.csv'] = await waitForListed(page, 'oneclass.csv');
    await page.getByRole('alert').filter({ hasText: 'oneclass.csv' }).waitFor();
    expect((await alerts(page)).join('\n')).toMatch(/oneclass\.csv: Every row has the same label \('x'\)/);
    expect(await page.getByRole('button', { name: 'Use this dataset' }).isDisabled()).toBe(true);

    // Dropping rows without a label is the fix, so it is ticked from the start; unticked, the dataset blocks.
    await importFiles(page, [text('nolabels.csv', 'text,label\na,x\nb,\nc,y\nd,y\n')]);
    expected['nolabels.csv'] = await waitForListed(page, 'nolabels.csv');
    const dropUnlabeled = page.getByLabel('Drop the 1 row without a label');
    expect(await dropUnlabeled.isChecked()).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Use this dataset' }).isEnabled()).toBe(true);
    await dropUnlabeled.uncheck();
    await page.getByRole('alert').filter({ hasText: 'nolabels.csv' }).waitFor();
    expect((await alerts(page)).join('\n')).toMatch(
      /nolabels\.csv: 1 row has an empty label in column 'label' \(nolabels\.csv row 2\)/,
    );
    expect(await page.getByRole('button', { name: 'Use this dataset' }).isDisabled()).toBe(true);
    await dropUnlabeled.check();
    await expect.poll(() => page.getByRole('button', { name: 'Use this dataset' }).isEnabled()).toBe(true);
    expect(await alerts(page)).toEqual([]);
  });

  // Headless Chromium does not enforce a storage quota reliably (its usage figures lag far behind), so these
  // two tests serve the import worker with a prelude that plays a full disk: a small estimate() for the
  // up-front check, or a QuotaExceededError from the fourth row-chunk write for the rollback mid-import.
  describe('storage quota', () => {
    let quotaPage: Page;
    let quotaErrors: string[];
    let mode: 'small-estimate' | 'fail-writes' = 'small-estimate';
    const PRELUDES = {
      'small-estimate': `navigator.storage.estimate = async () => ({ usage: 1000, quota: 50000 });`,
      'fail-writes': `{
        const put = IDBObjectStore.prototype.put;
        let writes = 0;
        IDBObjectStore.prototype.put = function (...args) {
          if (this.name === 'datasetRows' && ++writes > 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return put.apply(this, args);
        };
      }`,
    };

    it('refuses a file too large for the quota before writing anything', async () => {
      mode = 'fail-writes'; // dev.csv is one chunk: it fits
      const context = await browser.newContext();
      await context.route(/import\.worker[^/]*\.js$/, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: `${PRELUDES[mode]}\n${await response.text()}` });
      });
      quotaPage = await context.newPage();
      quotaErrors = [];
      quotaPage.on('pageerror', (err) => quotaErrors.push(err.message));
      await quotaPage.goto(inject('appUrl'));
      await importFiles(quotaPage, [sharedPath('datasets', 'mrpc', 'dev.csv')]);
      expect(await waitForListed(quotaPage, 'dev.csv')).toBe(408);
      mode = 'small-estimate';
      await quotaPage.reload();
      await quotaPage.getByTestId('dataset').first().waitFor();
      await importFiles(quotaPage, [text('large.csv', `text,label\n${'some words,a\n'.repeat(10_000)}`)]);
      expect((await alerts(quotaPage)).join('\n')).toMatch(
        /large\.csv is too large for the browser's storage quota: it needs about 0\.2 MB and 0\.0 MB is available/,
      );
      expect(await listed(quotaPage)).toEqual({ 'dev.csv': 408 });
    });

    it('rolls back a QuotaExceededError mid-import, leaving nothing half-written', async () => {
      mode = 'fail-writes';
      await quotaPage.reload();
      await quotaPage.getByTestId('dataset').first().waitFor();
      const rows = Array.from({ length: 20_000 }, (_v, i) => `row ${i} with some words,${i % 2}`);
      await importFiles(quotaPage, [text('big.csv', `text,label\n${rows.join('\n')}`)]);
      expect((await alerts(quotaPage)).join('\n')).toMatch(
        /big\.csv does not fit in the browser's storage quota: the import was rolled back/,
      );
      expect(await listed(quotaPage)).toEqual({ 'dev.csv': 408 });
      // The three chunks written before the failure are gone: only dev.csv's one chunk is stored.
      const chunks = await quotaPage.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open('webtune');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const count = open.result.transaction('datasetRows').objectStore('datasetRows').count();
              count.onsuccess = () => resolve(count.result);
              count.onerror = () => reject(count.error);
            };
          }),
      );
      expect(chunks).toBe(1);
      expect(quotaErrors).toEqual([]);
      await quotaPage.context().unrouteAll({ behavior: 'ignoreErrors' });
      await quotaPage.context().close();
    });
  });

  it('deletes a dataset after asking, and "Use this dataset" confirms one and moves on to the model step', async () => {
    // Dismissing the question keeps the dataset; accepting it deletes it.
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Delete oneclass.csv' }).click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toBe('Delete the dataset oneclass.csv and its rows? This cannot be undone.');
    expect(await listed(page)).toEqual(expected);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete oneclass.csv' }).click();
    delete expected['oneclass.csv'];
    await expect.poll(() => listed(page)).toEqual(expected);

    await page.getByRole('button', { name: 'dev.tsv', exact: true }).click();
    expect(await page.getByLabel('Text column', { exact: true }).inputValue()).toBe('sentence');
    expect(await page.getByLabel('Label column', { exact: true }).inputValue()).toBe('label');
    await page.getByTestId('validation-count').waitFor();
    // 872 rows, 10 % of each class (428 → 43, 444 → 44) to validation.
    expect(await page.getByTestId('validation-count').textContent()).toBe('87');
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    await expect
      .poll(() =>
        page.getByRole('navigation', { name: 'Steps' }).locator('[aria-current="step"]').textContent(),
      )
      .toContain('Model');
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });
});

describe('the Data step, more ways in', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('makes one dataset from train, dev and test files dropped together', async () => {
    const { page, errors } = await openPage(browser, inject('appUrl'));
    await page.getByText('No datasets stored yet.').waitFor();
    const csv = (n: number, tag: string) =>
      'text,label\n' +
      Array.from({ length: n }, (_v, i) => `${tag} example ${i},${i % 2 ? 'yes' : 'no'}`).join('\n');
    await importFiles(page, [
      text('train.csv', csv(20, 'train')),
      text('dev.csv', csv(6, 'dev')),
      text('test.csv', csv(4, 'test')),
    ]);
    expect(await waitForListed(page, 'train.csv')).toBe(30);
    await page.getByText('Validation rows come from the validation file.').waitFor();
    expect(await page.getByTestId('train-count').textContent()).toBe('20');
    expect(await page.getByTestId('validation-count').textContent()).toBe('6');
    const header = await page
      .getByRole('table', { name: 'Class counts per split' })
      .getByRole('columnheader')
      .allTextContents();
    expect(header).toEqual(['Class', 'Train', 'Validation', 'Test']);
    // The person moves the test file into training, and lowers the long-text limit.
    await page.getByLabel('Role of test.csv (4 rows)').selectOption('train');
    await expect.poll(() => page.getByTestId('train-count').textContent()).toBe('24');
    await page.getByLabel('Very long text (characters)').fill('15');
    await page.locator('[data-issue="long-texts"]').waitFor();
    // Longer than 15 characters: only "train example 10" … "train example 19" (16 each).
    expect(await page.locator('[data-issue="long-texts"]').textContent()).toMatch(
      /^Very long texts: 10 rows/,
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('imports a file dropped on the drop zone', async () => {
    const { page, errors } = await openPage(browser, inject('appUrl'));
    await page.getByText('No datasets stored yet.').waitFor();
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(
        new File(['{"review":"good","stars":"5"}\n{"review":"bad","stars":"1"}\n'], 'dropped.jsonl'),
      );
      const zone = document.querySelector('section[aria-label="Import a dataset"]')!;
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    expect(await waitForListed(page, 'dropped.jsonl')).toBe(2);
    expect(await page.getByLabel('Text column', { exact: true }).inputValue()).toBe('review');
    expect(await page.getByLabel('Label column', { exact: true }).inputValue()).toBe('stars');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('cancels an import in progress and keeps nothing of it', async () => {
    const context = await browser.newContext();
    // Slow reads (150 ms per chunk) keep the import running long enough to press Cancel.
    await context.route(/import\.worker[^/]*\.js$/, async (route) => {
      const response = await route.fetch();
      const prelude = `{
        const read = ReadableStreamDefaultReader.prototype.read;
        ReadableStreamDefaultReader.prototype.read = function (...args) {
          return new Promise((r) => setTimeout(r, 150)).then(() => read.apply(this, args));
        };
      }`;
      await route.fulfill({ response, body: `${prelude}\n${await response.text()}` });
    });
    const page = await context.newPage();
    await page.goto(inject('appUrl'));
    await importFiles(page, [text('keep.csv', 'text,label\na,x\nb,y\n')]);
    expect(await waitForListed(page, 'keep.csv')).toBe(2);
    const rows = Array.from({ length: 60_000 }, (_v, i) => `slow row ${i},${i % 2}`).join('\n');
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([text('slow.csv', `text,label\n${rows}`)] as never);
    await page.getByRole('progressbar').waitFor();
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await page.getByRole('status').filter({ hasText: 'cancelled' }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe(
      'The import of slow.csv was cancelled. Nothing was kept.',
    );
    expect(await alerts(page)).toEqual([]);
    expect(await listed(page)).toEqual({ 'keep.csv': 2 });
    await page.reload();
    await page.getByTestId('dataset').first().waitFor();
    expect(await listed(page)).toEqual({ 'keep.csv': 2 });
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  });
});
