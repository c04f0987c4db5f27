// LoRA through the page, as a person does it: SST-2 rows and bert-tiny-mlm from the local Hub mirror, the lora
// mode with PEFT's fields, the trainable count shown before starting (checked against the core's count of the
// same adapters attached in Node), a run to the end, and the adapter downloaded as the PEFT folder.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { attachLora } from '../../src/core/lora/attach';
import { countParameters, formatParameterShare } from '../../src/core/lora/budget';
import { resolveLoraConfig } from '../../src/core/lora/config';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig } from '../../src/core/models/types';
import { repoRoot, sharedModelDir, sharedPath } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';

const SHOTS = `${repoRoot}/test-results/app-lora`;
const MODEL = 'webtune/bert-tiny-mlm';

function smallSst2(n: number): Buffer {
  const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  return Buffer.from(`${lines.slice(0, n + 1).join('\n')}\n`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
const runStatus = (page: Page) => page.getByTestId('run-status').textContent();

/** What the core says this LoRA config trains on bert-tiny-mlm with a two-label head. */
async function coreCount(lora: { r: number; lora_alpha: number; target_modules: string[] }) {
  await initBackend({ prefer: 'cpu' });
  const dir = sharedModelDir(MODEL);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const model = buildClassifier(config, weights, { numLabels: 2, seed: 42 });
  try {
    attachLora(model, resolveLoraConfig(model.architecture, 'SEQ_CLS', lora), { seed: 42 });
    return countParameters(model);
  } finally {
    model.dispose();
  }
}

describe('LoRA in the app', () => {
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

  it('shows the trainable share before starting, trains with LoRA and downloads the PEFT adapter', async () => {
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([{ name: 'sst2-200.csv', mimeType: 'text/csv', buffer: smallSst2(200) }]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill(MODEL);
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    const steps = page.getByRole('navigation', { name: 'Steps' });
    await steps.getByRole('button', { name: /Train/ }).click();

    // bert-tiny is small: full fine-tuning is the default, and no mode is discouraged.
    const mode = page.getByLabel('mode', { exact: true });
    expect(await mode.inputValue()).toBe('full');
    await page.getByRole('table', { name: 'Memory of each training mode' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('mode-not-advised').count()).toBe(0);
    await mode.selectOption('lora');
    expect(await page.getByTestId('mode-explanation').textContent()).toMatch(/^lora: .*low-rank adapters/);

    // PEFT's names and defaults, the architecture's target_modules shown.
    const lora = (name: string) => page.getByLabel(name, { exact: true });
    expect(await lora('r').inputValue()).toBe('8');
    expect(await lora('lora_alpha').inputValue()).toBe('8');
    expect(await lora('lora_dropout').inputValue()).toBe('0');
    expect(await lora('target_modules').inputValue()).toBe('query,value');
    expect(await lora('modules_to_save').inputValue()).toBe('');
    expect(await lora('use_rslora').inputValue()).toBe('false');
    await lora('r').fill('4');
    await lora('lora_alpha').fill('16');
    await lora('target_modules').fill('query,key,value');
    await page.getByLabel('num_train_epochs', { exact: true }).fill('2');
    await page.getByLabel('learning_rate', { exact: true }).fill('0.001');

    const expected = await coreCount({ r: 4, lora_alpha: 16, target_modules: ['query', 'key', 'value'] });
    const share = page.getByTestId('trainable-share');
    await expect
      .poll(() => share.getAttribute('data-trainable'), { timeout: 30_000 })
      .toBe(String(expected.trainable));
    expect(await share.getAttribute('data-total')).toBe(String(expected.total));
    expect(await share.textContent()).toBe(`trainable ${formatParameterShare(expected)}`);
    // LoRA's memory estimate is below full fine-tuning's.
    const memory = async (m: string) =>
      Number(await page.locator(`tr[data-mode="${m}"]`).getAttribute('data-memory'));
    expect(await memory('lora')).toBeLessThan(await memory('full'));
    await shot(page, '1-train-lora');

    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    // A pause checkpoints only what trains; the resume attaches the same adapters and restores them.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress-step"]')?.textContent?.split('/')[0]) >= 3,
      undefined,
      { timeout: 60_000 },
    );
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('paused');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 500 }).toBe('finished');
    expect(await page.getByRole('alert').count()).toBe(0);
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(latest.epoch).toBeCloseTo(2, 5);
    expect(Number.isFinite(latest.eval_loss)).toBe(true);
    await shot(page, '2-finished');
    expect(await page.getByTestId('run').first().textContent()).toContain('LoRA r 4 · step 24/24');

    const [done, total] = ((await page.getByTestId('progress-step').textContent()) ?? '')
      .split('/')
      .map((x) => Number(x.trim()));
    expect(done).toBe(total);

    await steps.getByRole('button', { name: /Evaluate/ }).click();
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });
    await steps.getByRole('button', { name: /Export/ }).click();
    // The stored run says it was a LoRA run.
    await expect
      .poll(() => page.getByText(/mode=lora, learning_rate=0\.001/).count(), { timeout: 10_000 })
      .toBe(1);
    const kind = page.getByLabel('LoRA export', { exact: true });
    expect(await kind.inputValue()).toBe('both');
    await kind.selectOption('adapter');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Download model', exact: true }).click(),
    ]);
    const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const file = (name: string) => Object.entries(entries).find(([n]) => n.endsWith(`/${name}`))?.[1];
    const config = JSON.parse(new TextDecoder().decode(file('adapter_config.json'))) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'SEQ_CLS',
      r: 4,
      lora_alpha: 16,
      target_modules: ['key', 'query', 'value'],
      base_model_name_or_path: MODEL,
    });
    expect(file('model.safetensors')).toBeUndefined();
    const tensors = readSafetensors(file('adapter_model.safetensors')!);
    const prefix = 'base_model.model.bert.encoder.layer.0.attention.self';
    expect(tensors.get(`${prefix}.query.lora_A.weight`)?.shape).toEqual([4, 128]);
    expect(tensors.get(`${prefix}.key.lora_B.weight`)?.shape).toEqual([128, 4]);
    expect(tensors.get('base_model.model.classifier.weight')?.shape).toEqual([2, 128]);
    const adapterCount = [...tensors.values()].reduce((a, t) => a + t.data.length, 0);
    // The adapter file holds exactly what trained (the pooler is not saved by PEFT's SEQ_CLS).
    expect(adapterCount).toBe(expected.trainable);
    // Training moved B away from PEFT's zero initialisation.
    expect(tensors.get(`${prefix}.value.lora_B.weight`)!.data.some((x) => x !== 0)).toBe(true);
    await page.getByTestId('export-done').waitFor();
    await shot(page, '3-export-adapter');
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('trains LoRA on webgpu after the shader warm-up, and the run finishes', async () => {
    // SwiftShader here: a tiny random BERT, one epoch of short rows.
    const {
      page: gpu,
      errors,
      offMachine,
    } = await openPage(browser, `${inject('appUrl')}/?hub=${inject('hubUrl')}`);
    await gpu.waitForFunction(
      () => document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend') === 'webgpu',
    );
    const rows = Array.from(
      { length: 24 },
      (_v, i) => `${i % 2 ? 'good' : 'bad'} film ${i},${i % 2 ? 'pos' : 'neg'}`,
    );
    await gpu
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([
        { name: 'tiny.csv', mimeType: 'text/csv', buffer: Buffer.from(`text,label\n${rows.join('\n')}\n`) },
      ]);
    await gpu.getByTestId('validation-count').waitFor();
    await gpu.getByRole('button', { name: 'Use this dataset' }).click();
    const field = gpu.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-bert-cls');
    await field.press('Enter');
    await gpu.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await gpu.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    await gpu.getByLabel('mode', { exact: true }).selectOption('lora');
    await gpu.getByLabel('num_train_epochs', { exact: true }).fill('1');
    await gpu.getByLabel('max_length', { exact: true }).fill('16');
    await gpu.getByTestId('trainable-share').waitFor({ timeout: 30_000 });
    await gpu.getByRole('button', { name: 'Start training', exact: true }).click();
    await gpu.getByText('Warming up').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => gpu.getByTestId('run-status').textContent(), { timeout: 240_000, interval: 1000 })
      .toBe('finished');
    const latest = JSON.parse((await gpu.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(Number.isFinite(latest.eval_loss)).toBe(true);
    expect(await gpu.getByRole('alert').count()).toBe(0);
    await shot(gpu, '4-webgpu-finished');
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
