// Nothing is lost, through the page as a person uses it: a finished run is evaluated, tried and downloaded again
// after a reload with the same numbers and bytes; a reload before the first checkpoint shows the run as
// interrupted with "Start again with the same settings"; a reload between checkpoints resumes to the same
// weights as an uninterrupted run; two tabs never train one run; deleting a dataset used by runs says so; the
// session (step, dataset, model, hyper-parameters, open run) comes back after a reload without a download.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unzipSync } from 'fflate';
import { repoRoot, sharedPath } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';
import { setTrainFields, trainField } from './harness/train-form';

const SHOTS = `${repoRoot}/test-results/nothing-lost`;

function smallSst2(n: number): Buffer {
  const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  return Buffer.from(`${lines.slice(0, n + 1).join('\n')}\n`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
const runStatus = (page: Page) => page.getByTestId('run-status').textContent();
const stepOf = (page: Page) =>
  page
    .getByTestId('progress-step')
    .textContent()
    .then((t) => Number(t?.split('/')[0]));
const statuses = (page: Page) =>
  page.getByTestId('run-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-status')));
/** The Status column of the Compare runs table, newest first as the run list. */
const comparedStatuses = (page: Page) =>
  page.getByRole('table', { name: 'Stored runs' }).locator('tbody tr > td:nth-child(5)').allTextContents();
const comparedRow = (page: Page, index: number) =>
  page.getByRole('table', { name: 'Stored runs' }).locator('tbody tr').nth(index);
const goTo = (page: Page, step: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: step }).click();

/**
 * The settings every run here uses: 6 steps an epoch (90 training rows of 100, batch 16), a checkpoint every 4
 * steps and at each epoch's end. The cpu backend takes seconds a step, slow enough for a reload to land
 * between checkpoints; 12 steps keep the run well inside the polls on a loaded 2-core machine.
 */
const RECIPE = { num_train_epochs: '2', save_steps: '4', save_seconds: '60', eval_strategy: 'epoch' };

interface Results {
  latest: string;
  evaluation: string;
  probabilities: Record<string, number>;
  /** sha256 of each file in the downloaded zip, and of the zip itself. */
  files: Record<string, string>;
  zip: string;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Evaluate (automatic on the validation split), one Playground prediction and "Download model". */
async function results(page: Page): Promise<Results> {
  const latest = (await page.getByTestId('metrics-latest').textContent()) ?? '';
  await goTo(page, /Evaluate/);
  await page.getByTestId('evaluation').waitFor({ timeout: 120_000 });
  const evaluation = await page.getByTestId('evaluation').innerText();
  await page.getByLabel('Text to classify').fill('a charming and often affecting journey');
  await page.getByRole('button', { name: 'Predict', exact: true }).click();
  await page.getByTestId('probabilities').waitFor();
  const probabilities: Record<string, number> = await page
    .getByTestId('probabilities')
    .evaluate((ul) =>
      Object.fromEntries(
        [...ul.querySelectorAll('li')].map((li) => [li.dataset.label, Number(li.dataset.probability)]),
      ),
    );
  await goTo(page, /Export/);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByRole('button', { name: 'Download model', exact: true }).click(),
  ]);
  const zip = new Uint8Array(readFileSync(await download.path()));
  const files = Object.fromEntries(
    Object.entries(unzipSync(zip)).map(([name, bytes]) => [name.slice(name.indexOf('/') + 1), sha(bytes)]),
  );
  await page.getByTestId('export-done').waitFor();
  return { latest, evaluation, probabilities, files, zip: sha(zip) };
}

describe('nothing is lost', () => {
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let uninterrupted: Results;
  const hubRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    watched = await openPage(browser, `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=cpu`);
    page = watched.page;
    page.context().on('request', (r) => {
      if (r.url().startsWith(inject('hubUrl'))) hubRequests.push(r.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a finished run is evaluated, tried and downloaded again after a reload, with the same numbers and bytes', async () => {
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([{ name: 'sst2-100.csv', mimeType: 'text/csv', buffer: smallSst2(100) }]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/bert-tiny-mlm');
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await goTo(page, /Train/);
    await setTrainFields(page, RECIPE);
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('finished');
    expect(await statuses(page)).toEqual(['finished']);
    await shot(page, '1-finished');
    uninterrupted = await results(page);
    expect(Object.keys(uninterrupted.files)).toContain('model.safetensors');

    // The reload comes back to the Export step, with the run open and the model loaded from the cache.
    hubRequests.length = 0;
    await page.reload();
    await page.getByTestId('model-facts').waitFor({ state: 'attached', timeout: 60_000 });
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Export');
    await shot(page, '2-reloaded-export');
    expect(hubRequests).toEqual([]);

    // Opened from the run list, the run is the one Evaluate, Playground and Download act on.
    await goTo(page, /Train/);
    const row = page.getByTestId('run-row').first();
    expect(await row.getAttribute('data-run-status')).toBe('finished');
    await row.getByRole('button').first().click();
    await expect.poll(() => runStatus(page)).toBe('finished');
    expect(
      Number(
        await row
          .getByTestId('run-size')
          .textContent()
          .then((t) => parseFloat(t ?? '')),
      ),
    ).toBeGreaterThan(0);
    expect(await page.getByTestId('runs-storage').textContent()).toMatch(
      /Runs take \d+\.\d MB in this browser/,
    );
    await shot(page, '3-reloaded-train');
    const again = await results(page);
    await shot(page, '4-reloaded-downloaded');
    expect(again).toEqual(uninterrupted);
    expect(hubRequests).toEqual([]);
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('restores the hyper-parameters and the dataset with its choices after a reload', async () => {
    await goTo(page, /Train/);
    expect(await trainField(page, 'save_steps').inputValue()).toBe('4');
    expect(await trainField(page, 'num_train_epochs').inputValue()).toBe('2');
    await goTo(page, /Data/);
    // The dataset chosen before is selected again, with its confirmed mapping.
    await page.getByTestId('validation-count').waitFor();
    expect(
      await page.getByRole('button', { name: 'sst2-100.csv', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');
    expect(await page.getByLabel('Text column', { exact: true }).inputValue()).toBe('text');
    expect(await page.getByLabel('Label column', { exact: true }).inputValue()).toBe('label');
    await goTo(page, /Train/);
  });

  it('a reload before the first checkpoint shows the run as interrupted, with "Start again with the same settings"', async () => {
    // Many epochs, no evaluation and no step or time checkpoint: nothing is saved before the reload.
    await setTrainFields(page, {
      num_train_epochs: '40',
      eval_strategy: 'no',
      save_steps: '0',
      save_seconds: '600',
    });
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress-step"]')?.textContent?.split('/')[0]) >= 2,
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.getByTestId('checkpoint-status').getAttribute('data-checkpoint-state')).toBe('none');
    await page.reload();
    await goTo(page, /Train/);
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('interrupted');
    expect(await statuses(page)).toEqual(['interrupted', 'finished']);
    // The Compare runs table says what the run list says, not the 'running' the store kept.
    await expect.poll(() => comparedStatuses(page)).toEqual(['interrupted', 'finished']);
    const row = page.getByTestId('run-row').first();
    expect(await row.textContent()).toContain('interrupted before its first checkpoint');
    expect(await row.getByRole('button', { name: /^Resume / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    expect(
      await page.getByText('it had saved no checkpoint yet, so there is nothing to resume').count(),
    ).toBe(1);
    await shot(page, '5-interrupted-before-checkpoint');

    await row.getByRole('button', { name: 'Start again with the same settings' }).click();
    await expect
      .poll(() => statuses(page), { timeout: 30_000 })
      .toEqual(['running', 'interrupted', 'finished']);
    await expect.poll(() => runStatus(page)).toBe('running');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await shot(page, '6-started-again');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('stopped');
    expect(await statuses(page)).toEqual(['stopped', 'interrupted', 'finished']);
    expect(watched.errors).toEqual([]);
  });

  it('a reload between checkpoints resumes from the last one and ends with the weights of an uninterrupted run', async () => {
    await setTrainFields(page, { ...RECIPE });
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    // The checkpoint of step 4 is saved; reload before the run ends.
    await page.waitForFunction(
      () =>
        /Last checkpoint: step \d+/.test(
          document.querySelector('[data-testid="checkpoint-status"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 120_000 },
    );
    await page.reload();
    await goTo(page, /Train/);
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('interrupted');
    const row = page.getByTestId('run-row').first();
    const from = Number(/resumes from step (\d+)/.exec((await row.textContent()) ?? '')?.[1]);
    expect(from % 4 === 0 || from === 6).toBe(true);
    expect(from).toBeLessThan(12);
    await shot(page, '7-interrupted-between-checkpoints');

    // Start training meets a resumable run: it asks.
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'A run is paused' });
    await dialog.waitFor();
    await shot(page, '8-start-asks');
    await dialog.getByRole('button', { name: 'Resume it' }).click();
    await expect.poll(() => runStatus(page), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('finished');
    await shot(page, '9-resumed-finished');
    const resumed = await results(page);
    // The same weights (and so the same evaluation, predictions and files) as the run never interrupted.
    expect(resumed.files['model.safetensors']).toBe(uninterrupted.files['model.safetensors']);
    expect(resumed.latest).toBe(uninterrupted.latest);
    expect(resumed.probabilities).toEqual(uninterrupted.probabilities);
    expect(watched.errors).toEqual([]);
  });

  it('two tabs: the second sees the run training elsewhere and cannot take it over', async () => {
    await goTo(page, /Train/);
    await setTrainFields(page, {
      num_train_epochs: '40',
      eval_strategy: 'no',
      save_steps: '0',
      save_seconds: '600',
    });
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    // The Compare runs table cannot delete the run that trains, any more than the run list can.
    await expect
      .poll(() =>
        comparedRow(page, 0)
          .getByRole('button', { name: /^Delete / })
          .isDisabled(),
      )
      .toBe(true);

    const second = await page.context().newPage();
    const secondErrors: string[] = [];
    second.on('pageerror', (e) => secondErrors.push(e.message));
    await second.goto(page.url());
    await goTo(second, /Train/);
    const row = second.getByTestId('run-row').first();
    await expect.poll(() => row.getAttribute('data-run-status'), { timeout: 30_000 }).toBe('running');
    expect(await row.textContent()).toContain('in another tab');
    expect(await row.getByRole('button', { name: /^Resume / }).count()).toBe(0);
    expect(await row.getByRole('button', { name: /^Delete run / }).isDisabled()).toBe(true);
    await row.getByRole('button').first().click();
    await expect.poll(() => runStatus(second)).toBe('running');
    expect(await second.getByText('training in another tab of WebTune').count()).toBe(1);
    expect(await second.getByRole('button', { name: 'Pause', exact: true }).isDisabled()).toBe(true);
    expect(await second.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    await shot(second, '10-second-tab');

    // Paused in the first tab, the run can be resumed in the second; then the first sees it elsewhere.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('paused');
    await expect.poll(() => runStatus(second), { timeout: 30_000 }).toBe('paused');
    await second.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => runStatus(second), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).isDisabled()).toBe(true);
    await shot(page, '11-first-tab-sees-elsewhere');
    await second.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => runStatus(second), { timeout: 30_000 }).toBe('stopped');
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('stopped');
    await second.close();
    expect(secondErrors).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  it('deleting a dataset used by runs says so, and nothing goes without a yes', async () => {
    await goTo(page, /Data/);
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Delete sst2-100.csv' }).click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toMatch(
      /^Delete the dataset sst2-100\.csv and its rows\? This cannot be undone\. 5 runs were trained on it \(.*\): they keep their models/,
    );
    expect(await page.getByTestId('dataset').count()).toBe(1);

    // A run's delete asks too.
    await goTo(page, /Train/);
    const before = (await statuses(page)).length;
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await page
      .getByTestId('run-row')
      .last()
      .getByRole('button', { name: /^Delete run / })
      .click();
    await expect.poll(() => questions.length).toBe(2);
    expect(questions[1]).toMatch(
      /^Delete run ".*" with its model and checkpoints \(\d+\.\d MB\)\? This cannot be undone\.$/,
    );
    expect((await statuses(page)).length).toBe(before);
    // The Compare runs table's Delete asks the run list's question of the same run.
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await comparedRow(page, before - 1)
      .getByRole('button', { name: /^Delete / })
      .click();
    await expect.poll(() => questions.length).toBe(3);
    expect(questions[2]).toBe(questions[1]);
    expect((await statuses(page)).length).toBe(before);
    // A rename there shows in the run list at once.
    page.once('dialog', (dialog) => void dialog.accept('the first run'));
    await comparedRow(page, before - 1)
      .getByRole('button', { name: /^Rename / })
      .click();
    await expect
      .poll(() => page.getByTestId('run-row').last().getByRole('button').first().textContent())
      .toBe('the first run');
    expect(watched.errors).toEqual([]);
  });
});
