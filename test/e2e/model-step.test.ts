// The Model step as a person uses it: type a Hub id, press Enter, see the download and the model's facts; a
// second load comes from the browser's cache; bad models get a specific alert and the page stays usable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    // A folder whose config names an architecture WebTune does not build (T5), picked from disk.
    const folder = mkdtempSync(join(tmpdir(), 'webtune-t5-'));
    writeFileSync(
      join(folder, 'config.json'),
      JSON.stringify({ model_type: 't5', architectures: ['T5Model'] }),
    );
    await page.getByLabel(/Or drop a model folder/).setInputFiles(folder);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/"t5".*bert.*distilbert.*roberta.*gpt2.*llama.*qwen2/s);
    rmSync(folder, { recursive: true, force: true });

    const field = page.getByLabel('Model', { exact: true });
    await field.fill('nobody/no-such-model');
    await field.press('Enter');
    await page
      .getByText(/nobody\/no-such-model/)
      .and(page.getByRole('alert'))
      .waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/not found|does not exist|no model/i);

    // sshleifer/tiny-gpt2 (the real GPT-2 tokenizer, merges saved as pairs) loads as a decoder.
    await field.fill('sshleifer/tiny-gpt2');
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind="decoder"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('model-facts').innerText()).toContain('GPT2LMHeadModel');
    expect(errors).toEqual([]);
  });
});
