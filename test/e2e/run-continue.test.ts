// "Continue training" from a finished run, through the page: the new run starts from the finished run's weights,
// not the base model's. With a learning rate too small to move them, it ends where the finished run ended (same
// eval loss), while a run started afresh with the same settings ends where the base model is.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { sharedPath } from '../support/shared';
import { launchChromium, openPage } from './browser';
import { setTrainFields } from './harness/train-form';

const runStatus = (page: Page) => page.getByTestId('run-status').textContent();
const goTo = (page: Page, step: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: step }).click();

/** Waits for the open run to finish and returns its last evaluation's loss. */
async function finishedEvalLoss(page: Page): Promise<number> {
  await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 500 }).toBe('finished');
  const latest = (await page.getByTestId('metrics-latest').textContent()) ?? '';
  return JSON.parse(latest.slice(latest.indexOf('{'))).eval_loss as number;
}

describe('continue training from a finished run', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('starts from the finished run’s weights', async () => {
    const { page, errors } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`,
    );
    const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    await page.getByLabel('Dataset files', { exact: true }).setInputFiles([
      {
        name: 'sst2-160.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`${lines.slice(0, 161).join('\n')}\n`),
      },
    ]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/bert-tiny-mlm');
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await goTo(page, /Train/);
    await setTrainFields(page, { num_train_epochs: '2', learning_rate: '0.001', eval_strategy: 'epoch' });
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    const trained = await finishedEvalLoss(page);

    // A learning rate that cannot move the weights: the continuation keeps what the run learnt.
    await setTrainFields(page, { num_train_epochs: '1', learning_rate: '1e-12' });
    await page.getByRole('button', { name: 'Continue training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    const continued = await finishedEvalLoss(page);
    expect(Math.abs(continued - trained)).toBeLessThan(1e-4);
    const rows = page.getByTestId('run-row');
    expect(await rows.first().innerText()).toContain('(continued)');

    // The same settings from the base model end elsewhere: the continuation did start from the run.
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    const dialog = page.getByRole('dialog');
    if (await dialog.count()) await dialog.getByRole('button', { name: 'Start a new run' }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    const fresh = await finishedEvalLoss(page);
    expect(Math.abs(fresh - trained)).toBeGreaterThan(1e-3);
    expect(errors).toEqual([]);
  });
});
