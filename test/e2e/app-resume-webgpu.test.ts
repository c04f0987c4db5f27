// A run on the webgpu backend (SwiftShader here, so a tiny random model) interrupted by a reload resumes from its
// last checkpoint and ends with the weights of the same run left uninterrupted, within the tolerance two
// uninterrupted webgpu runs already differ by (float32 reductions in another order; test/webgpu/train-resume
// measures 3e-5 between two of them in Dawn).
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage } from './browser';
import { setTrainFields } from './harness/train-form';

const TOLERANCE = 1.5e-4;
const runStatus = (page: Page) => page.getByTestId('run-status').textContent();
const goTo = (page: Page, step: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: step }).click();

/** The float32 tensors of the downloaded zip's model.safetensors, by name. */
async function downloadedWeights(page: Page): Promise<Map<string, Float32Array>> {
  await goTo(page, /Export/);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByRole('button', { name: 'Download model', exact: true }).click(),
  ]);
  const { readFile } = await import('node:fs/promises');
  const files = unzipSync(new Uint8Array(await readFile(await download.path())));
  const bytes = Object.entries(files).find(([name]) => name.endsWith('/model.safetensors'))![1];
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<
    string,
    { dtype: string; data_offsets: [number, number] }
  >;
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = t.data_offsets;
    weights.set(name, new Float32Array(bytes.slice(8 + length + begin, 8 + length + end).buffer));
  }
  await goTo(page, /Train/);
  return weights;
}

describe('resume after a reload on webgpu', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('ends within tolerance of the uninterrupted run', async () => {
    const { page, errors } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=webgpu`,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend') === 'webgpu',
    );
    const rows = Array.from(
      { length: 40 },
      (_v, i) => `${i % 2 ? 'good' : 'bad'} film ${i},${i % 2 ? 'pos' : 'neg'}`,
    );
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([
        { name: 'tiny.csv', mimeType: 'text/csv', buffer: Buffer.from(`text,label\n${rows.join('\n')}\n`) },
      ]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-bert-cls');
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await goTo(page, /Train/);
    // 36 training rows in batches of 4: 9 steps, a checkpoint every 3.
    const recipe = {
      num_train_epochs: '1',
      per_device_train_batch_size: '4',
      max_length: '16',
      learning_rate: '0.001',
      save_steps: '3',
      seed: '7',
    };
    await setTrainFields(page, recipe);
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 300_000, interval: 1000 }).toBe('finished');
    const uninterrupted = await downloadedWeights(page);

    await setTrainFields(page, recipe);
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 60_000 }).toBe('running');
    await page.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid="checkpoint-status"]')?.textContent ?? '';
        const step = Number(/Last checkpoint: step (\d+)/.exec(text)?.[1] ?? 0);
        return step >= 3 && step < 9;
      },
      undefined,
      { timeout: 300_000, polling: 200 },
    );
    await page.reload();
    await goTo(page, /Train/);
    await expect.poll(() => runStatus(page), { timeout: 60_000 }).toBe('interrupted');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 300_000, interval: 1000 }).toBe('finished');
    const resumed = await downloadedWeights(page);

    expect([...resumed.keys()].sort()).toEqual([...uninterrupted.keys()].sort());
    let worst = 0;
    for (const [name, values] of uninterrupted) {
      const other = resumed.get(name)!;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
    }
    console.log(`webgpu: resumed vs uninterrupted, largest weight difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(errors).toEqual([]);
  });
});
