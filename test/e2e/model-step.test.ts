// The Model step as a person uses it: type a Hub id, press Enter, see the download and the model's facts; a
// second load comes from the browser's cache; bad models get a specific alert and the page stays usable.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';
import { launchChromium, openPage } from './browser';

describe('the Model step', () => {
  let browser: Browser;
  let hub: HubMirror; // a mirror of this test's own, so its request log is this test's alone
  beforeAll(async () => {
    browser = await launchChromium();
    hub = await startHubMirror();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('loads a model by id, shows its facts, and loads it again from the cache', async () => {
    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`,
    );
    await page.getByRole('button', { name: /Model/ }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/bert-tiny-mlm');
    await field.press('Enter');
    const facts = page.getByTestId('model-facts');
    await facts.waitFor({ timeout: 60_000 });
    const text = await facts.innerText();
    expect(text).toContain('BertForMaskedLM');
    // bert-tiny: 4,385,920 encoder parameters (embeddings 3,972,864 + 2 layers × 198,272 + pooler 16,512).
    expect(text).toContain('4,385,920');
    expect(text).toContain('512 tokens');
    expect(await page.getByRole('progressbar', { name: 'model.safetensors download' }).count()).toBe(1);
    const weightRequests = () =>
      hub.requests.filter((r) => r.startsWith('GET') && r.endsWith('/model.safetensors'));
    expect(weightRequests()).toHaveLength(1);

    await page.reload();
    await page.getByRole('button', { name: /Model/ }).click();
    await page.getByLabel('Model', { exact: true }).fill('webtune/bert-tiny-mlm');
    await page.getByLabel('Model', { exact: true }).press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    expect(weightRequests()).toHaveLength(1); // served by the Cache API this time
    expect(await page.getByText('cached').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });

  it('loads a model folder picked from disk, with no network at all', async () => {
    const { page, errors, offMachine } = await openPage(browser, `${inject('appUrl')}/?backend=wasm`);
    await page.getByRole('button', { name: /Model/ }).click();
    const before = hub.requests.length;
    await page
      .getByLabel(/Or drop a model folder/)
      .setInputFiles(sharedModelDir('webtune/tiny-random-roberta-bpe-cls'));
    const facts = page.getByTestId('model-facts');
    await facts.waitFor({ timeout: 60_000 });
    const text = await facts.innerText();
    expect(text).toContain('RobertaForSequenceClassification');
    expect(text).toContain('the dropped folder webtune--tiny-random-roberta-bpe-cls');
    expect(hub.requests.length).toBe(before);
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });

  it('loads a model from the URL of a folder', async () => {
    const { page, errors } = await openPage(browser, `${inject('appUrl')}/?backend=wasm`);
    await page.getByRole('button', { name: /Model/ }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill(`${hub.url}/webtune/tiny-random-distilbert-cls/resolve/main`);
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('model-facts').innerText()).toContain(
      'DistilBertForSequenceClassification',
    );
    expect(errors).toEqual([]);
  });

  it('says which models are supported when given an unsupported one, and stays usable', async () => {
    const { page, errors } = await openPage(browser, `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`);
    await page.getByRole('button', { name: /Model/ }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('sshleifer/tiny-gpt2');
    await field.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/gpt2.*bert.*distilbert.*roberta/s);
    expect(hub.requests.some((r) => r.includes('tiny-gpt2') && r.endsWith('model.safetensors'))).toBe(false);

    await field.fill('nobody/no-such-model');
    await field.press('Enter');
    await page
      .getByText(/nobody\/no-such-model/)
      .and(page.getByRole('alert'))
      .waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/not found|does not exist|no model/i);
    expect(errors).toEqual([]);
  });
});
