// The Train form as a person sees it: each field under a human label with its transformers name beside it (its
// accessible name), number inputs, switches for booleans, an invalid field outlined with its message, and
// "Reset to defaults".
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applies } from '../../src/core/argument-table';
import { FORM_ENTRIES } from '../../src/ui/train/defaults';
import { sharedPath } from '../support/shared';
import { launchChromium, openPage } from './browser';
import { setTrainFields, trainField, trainFieldValue } from './harness/train-form';

describe('the Train form', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('labels, number inputs, switches, outlined invalid fields and Reset to defaults', async () => {
    const { page, errors } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`,
    );
    const steps = page.getByRole('navigation', { name: 'Steps' });
    // The form keeps edits for the loaded model: load the tiny one.
    await steps.getByRole('button', { name: /Model/ }).click();
    const model = page.getByLabel('Model', { exact: true });
    await model.fill('webtune/bert-tiny-mlm');
    await model.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await steps.getByRole('button', { name: /Train/ }).click();
    const form = page.getByRole('group', { name: 'Hyper-parameters', exact: true });
    await form.locator('details:has(> summary)').evaluate((d) => ((d as HTMLDetailsElement).open = true));

    // Every field of a classifier's full fine-tuning, named "Label · name"; the causal-LM and LoRA ones hidden.
    for (const entry of FORM_ENTRIES) {
      const field = form.getByLabel(`${entry.label} · ${entry.name}`, { exact: true });
      expect(await field.count(), entry.name).toBe(applies(entry, 'sequence-classification', 'full') ? 1 : 0);
    }
    expect(await trainField(page, 'learning_rate').getAttribute('type')).toBe('number');
    expect(await trainField(page, 'per_device_train_batch_size').getAttribute('step')).toBe('1');
    const loadBest = form.getByRole('switch', { name: /load_best_model_at_end$/ });
    expect(await loadBest.isChecked()).toBe(false);

    // An invalid value: outlined, with the trainer's message, and no effective batch.
    const reset = form.getByRole('button', { name: 'Reset to defaults', exact: true });
    expect(await reset.isDisabled()).toBe(true);
    const defaultRate = await trainFieldValue(page, 'learning_rate');
    await trainField(page, 'learning_rate').fill('0');
    const rate = trainField(page, 'learning_rate');
    expect(await rate.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#hp-learning_rate-help').textContent()).toContain(
      'learning_rate must be > 0, got 0',
    );
    expect(await rate.evaluate((e) => getComputedStyle(e).outlineStyle)).toBe('solid');
    expect(await page.getByTestId('effective-batch').textContent()).toBe('Effective batch: –');
    await setTrainFields(page, { load_best_model_at_end: 'true', mode: 'lora' });
    expect(await loadBest.isChecked()).toBe(true);
    expect(await trainFieldValue(page, 'use_rslora')).toBe('false'); // LoRA's fields show with mode lora

    // Reset: the defaults again, nothing invalid, the LoRA fields gone.
    expect(await reset.isEnabled()).toBe(true);
    await reset.click();
    expect(await trainFieldValue(page, 'learning_rate')).toBe(defaultRate);
    expect(await trainField(page, 'learning_rate').getAttribute('aria-invalid')).toBeNull();
    expect(await loadBest.isChecked()).toBe(false);
    expect(await trainField(page, 'r').count()).toBe(0);
    expect(await reset.isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows the selected run’s settings, so Start reproduces it', async () => {
    const { page, errors } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`,
    );
    const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    await page.getByLabel('Dataset files', { exact: true }).setInputFiles([
      {
        name: 'sst2-40.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`${lines.slice(0, 41).join('\n')}\n`),
      },
    ]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const model = page.getByLabel('Model', { exact: true });
    await model.fill('webtune/bert-tiny-mlm');
    await model.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    // A run with settings that differ from the defaults.
    await setTrainFields(page, { learning_rate: '0.0003', num_train_epochs: '1', weight_decay: '0.05' });

    // Before Start, the run plan's estimated time, from passes the worker timed on this data and model.
    const estimate = page.getByTestId('run-estimate');
    const seconds = async () => Number(await estimate.getAttribute('data-seconds', { timeout: 60_000 }));
    const oneEpoch = await seconds();
    expect(Number.isFinite(oneEpoch) && oneEpoch > 0, `${oneEpoch}`).toBe(true);
    expect(await estimate.textContent()).toMatch(
      /estimated time about .+ \(measured: [\d.e-]+ s a step on wasm/,
    );
    // Twice the epochs, twice the steps and evaluations: the same measurement, twice the time.
    await setTrainFields(page, { num_train_epochs: '2' });
    await expect.poll(seconds, { timeout: 5000 }).not.toBe(oneEpoch);
    expect((await seconds()) / oneEpoch).toBeGreaterThan(1.5);
    expect((await seconds()) / oneEpoch).toBeLessThan(2.5);
    await setTrainFields(page, { num_train_epochs: '1' });
    // Another batch size shapes another pass: the estimate goes at once (the worker is asked once it settles).
    const batch = await trainFieldValue(page, 'per_device_train_batch_size');
    await setTrainFields(page, { per_device_train_batch_size: String(Number(batch) * 2) });
    expect(await estimate.count()).toBe(0);
    expect(Number.isFinite(await seconds())).toBe(true);
    await setTrainFields(page, { per_device_train_batch_size: batch });
    await expect.poll(seconds, { timeout: 5000 }).toBe(oneEpoch); // measured already for these settings
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 180_000, interval: 500 })
      .toBe('finished');

    // The form moves on; selecting the run in the list brings its settings back, and says whose they are.
    await setTrainFields(page, { learning_rate: '0.005', weight_decay: '0' });
    expect(await trainFieldValue(page, 'learning_rate')).toBe('0.005');
    expect(await page.getByTestId('settings-of-run').count()).toBe(0);
    const row = page.getByTestId('run-row').first();
    const name = (await row.locator('.run-name').textContent()) ?? '';
    await row.locator('.run-name').click();
    await expect.poll(() => trainFieldValue(page, 'learning_rate')).toBe('0.0003');
    expect(await trainFieldValue(page, 'weight_decay')).toBe('0.05');
    expect(await trainFieldValue(page, 'num_train_epochs')).toBe('1');
    expect(await page.getByTestId('settings-of-run').textContent()).toContain(`Settings of run ${name}`);
    // An edit makes the form the person's own again.
    await setTrainFields(page, { weight_decay: '0.01' });
    expect(await page.getByTestId('settings-of-run').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
