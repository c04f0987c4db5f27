// A decoder's task can be changed in the app: with a labelled dataset chosen as "A classifier" and the tiny
// random GPT-2 loaded, the Train step starts at causal-lm (the decoder's default), which refuses that data with
// a note; choosing sequence-classification in the task's select makes it a classification run (max_length, the
// classifier's fields), which the worker trains as GPT2ForSequenceClassification to the end, with accuracy / F1.
// Evaluate and the Playground are then the classifier's, and the downloaded folder loads in the real transformers
// (AutoModelForSequenceClassification, AutoTokenizer) with the Playground's probabilities (within 1e-4).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runPythonStack } from '../support/python';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';
import { setTrainField, setTrainFields } from './harness/train-form';

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
    // LoRA on a decoder classifier is refused before Start, saying so.
    await setTrainField(page, 'mode', 'lora');
    expect(await page.getByTestId('train-task-mismatch').innerText()).toContain(
      'LoRA on its classification head (score) is not supported yet',
    );
    expect(await start.isDisabled()).toBe(true);
    await setTrainField(page, 'mode', 'full');
    expect(await page.getByTestId('train-task-mismatch').count()).toBe(0);
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

  it('Evaluate and the Playground are the classifier’s; the download loads in transformers with the same scores', async () => {
    const steps = page.getByRole('navigation', { name: 'Steps' });
    await steps.getByRole('button', { name: /Evaluate/ }).click();
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });
    const perClass = page.getByRole('table', { name: 'Per-class scores' });
    expect(await perClass.getByRole('rowheader').allInnerTexts()).toEqual(['negative', 'positive']);
    const text = 'the film was lovely and bright';
    await page.getByLabel('Text to classify').fill(text);
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const bars = page.getByTestId('probabilities');
    await bars.waitFor();
    const shown: Record<string, number> = await bars.evaluate((ul) =>
      Object.fromEntries(
        [...ul.querySelectorAll('li')].map((li) => [li.dataset.label, Number(li.dataset.probability)]),
      ),
    );
    await page.screenshot({ path: `${SHOTS}/3-playground.png`, fullPage: true });

    await steps.getByRole('button', { name: /Export/ }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Download model', exact: true }).click(),
    ]);
    const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const dir = mkdtempSync(join(tmpdir(), 'webtune-app-dec-cls-'));
    try {
      const names: string[] = [];
      for (const [name, bytes] of Object.entries(entries)) {
        const inner = name.slice(name.indexOf('/') + 1);
        if (!inner || name.endsWith('/')) continue;
        names.push(inner);
        mkdirSync(dirname(join(dir, inner)), { recursive: true });
        writeFileSync(join(dir, inner), bytes);
      }
      // The transformers folder, without onnx/ (WebTune has no ONNX graph for decoders; the card says so).
      expect(names.some((n) => n.startsWith('onnx/'))).toBe(false);
      expect(names).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      expect(config.architectures).toEqual(['GPT2ForSequenceClassification']);
      expect(config.id2label).toEqual({ 0: 'negative', 1: 'positive' });
      expect(config.pad_token_id).toBe(50256);
      const python = runPythonStack<{ architecture: string; probabilities: number[]; missing: string[] }>(
        `
import json, sys, torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
job = json.load(sys.stdin)
model, info = AutoModelForSequenceClassification.from_pretrained(job["dir"], output_loading_info=True)
tok = AutoTokenizer.from_pretrained(job["dir"])
with torch.no_grad():
    p = torch.softmax(model(**tok([job["text"]], return_tensors="pt")).logits[0], -1)
print(json.dumps({"architecture": type(model).__name__, "probabilities": p.tolist(),
                  "missing": [str(k) for v in info.values() for k in v]}))
`,
        { dir, text },
      );
      expect(python.architecture).toBe('GPT2ForSequenceClassification');
      expect(python.missing).toEqual([]);
      const worst = Math.max(
        Math.abs(python.probabilities[0]! - shown.negative!),
        Math.abs(python.probabilities[1]! - shown.positive!),
      );
      console.log(
        `app decoder classifier: Playground vs transformers probabilities max |diff| ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThanOrEqual(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(watched.errors).toEqual([]);
  });

  it('after a reload the open run comes back with its task, and Evaluate is still the classifier’s', async () => {
    await page.reload();
    const steps = page.getByRole('navigation', { name: 'Steps' });
    // The model comes back from the browser's cache (its facts sit in the hidden Model step).
    await page
      .locator('[data-testid="model-facts"][data-model-kind="decoder"]')
      .waitFor({ state: 'attached', timeout: 60_000 });
    await steps.getByRole('button', { name: /Train/ }).click();
    await expect
      .poll(() => page.getByTestId('train-task').getAttribute('data-task'), { timeout: 60_000 })
      .toBe('sequence-classification');
    expect(await page.getByTestId('run-row').first().getAttribute('data-run-status')).toBe('finished');
    await steps.getByRole('button', { name: /Evaluate/ }).click();
    await page.getByTestId('evaluation').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('generation-table').count()).toBe(0);
    expect(watched.errors).toEqual([]);
  });
});
