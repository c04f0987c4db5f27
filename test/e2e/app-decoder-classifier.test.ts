// A decoder's task can be changed in the app: with a labelled dataset chosen as "A classifier" and the tiny
// random GPT-2 loaded, the Train step starts at causal-lm (the decoder's default), which refuses that data with
// a note; choosing sequence-classification in the task's select makes it a classification run (max_length, the
// classifier's fields), which the worker trains as GPT2ForSequenceClassification to the end, with accuracy / F1.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';
import { setTrainFields } from './harness/train-form';

const SHOTS = `${repoRoot}/test-results/app-decoder-classifier`;
const GOOD = ['good', 'great', 'lovely', 'bright', 'fine'];
const BAD = ['bad', 'awful', 'dull', 'grim', 'poor'];

/** 40 distinct labelled rows, half of each label. */
function labelledCsv(): Buffer {
  const lines = ['text,label'];
  for (let i = 0; i < 40; i++) {
    const positive = i % 2 === 0;
    const words = positive ? GOOD : BAD;
    lines.push(
      `"the film was ${words[i % 5]} and ${words[(i + 2) % 5]}, scene ${i}",${positive ? 'positive' : 'negative'}`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const runStatus = (page: Page) => page.getByTestId('run-status').textContent();

describe('a decoder as a sequence classifier in the app', () => {
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    watched = await openPage(browser, `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`);
    page = watched.page;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the task of a decoder can be changed, and a short classification run completes', async () => {
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([{ name: 'reviews.csv', mimeType: 'text/csv', buffer: labelledCsv() }]);
    await page.getByTestId('validation-count').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Use this dataset' }).click();

    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-gpt2');
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind="decoder"]').waitFor({ timeout: 60_000 });
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();

    // A decoder starts as a causal LM, which labelled data does not suit: Start is refused, saying why.
    const task = page.getByTestId('train-task');
    expect(await task.getAttribute('data-task')).toBe('causal-lm');
    const select = page.getByTestId('train-task-select');
    expect(await select.locator('option').allTextContents()).toEqual([
      'causal-lm',
      'sequence-classification',
    ]);
    expect(await task.innerText()).toContain('needs a dataset chosen as "A text generator"');
    const start = page.getByRole('button', { name: 'Start training', exact: true });
    expect(await start.isDisabled()).toBe(true);
    expect(await page.getByTestId('train-decoder-note').count()).toBe(1);

    await select.selectOption('sequence-classification');
    expect(await task.getAttribute('data-task')).toBe('sequence-classification');
    expect(await task.innerText()).toContain('needs a dataset chosen as "A classifier"');
    expect(await page.getByTestId('train-decoder-note').count()).toBe(0);
    expect(await page.getByTestId('train-task-mismatch').count()).toBe(0);
    // The classifier's fields, not the causal LM's.
    expect(await page.getByLabel('max_length').count()).toBe(1);
    expect(await page.getByLabel('block_size').count()).toBe(0);
    await setTrainFields(page, {
      num_train_epochs: '1',
      per_device_train_batch_size: '8',
      max_length: '24',
      learning_rate: '0.001',
    });
    await page.screenshot({ path: `${SHOTS}/1-train-ready.png`, fullPage: true });
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    await start.click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 500 }).toBe('finished');
    await page.screenshot({ path: `${SHOTS}/2-finished.png`, fullPage: true });
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(Object.keys(latest)).toEqual(['step', 'epoch', 'eval_loss', 'eval_accuracy', 'eval_f1']);
    expect(latest.eval_accuracy).toBeGreaterThanOrEqual(0);
    expect(latest.eval_accuracy).toBeLessThanOrEqual(1);
    // The task stays what the run trains while it is open.
    expect(await task.getAttribute('data-task')).toBe('sequence-classification');
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });
});
