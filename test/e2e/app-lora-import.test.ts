// Importing a PEFT LoRA adapter in the app, as a person does it: load GPT-2's fixture in the Model step, give
// the adapter PEFT itself wrote (lora-init) by Hub id, see its facts, and the Playground's greedy tokens are
// `npm run generate -- --adapter`'s for the same prompt (the CLI path is checked against PEFT in
// test/unit/lora-peft.test.ts) and not the base model's; and a classifier's adapter the CLI trains here
// (--mode lora --export adapter) classifies in Evaluate's Playground with `npm run predict -- --adapter`'s
// probabilities. Wrong adapters are refused with their reason.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { errorLines, runCli, writeSentimentCsv } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { repoRoot, sharedPath } from '../support/shared';
import { launchChromium, openPage } from './browser';
import { trainField } from './harness/train-form';

const shots = join(repoRoot, 'test-results', 'lora-import');
const base = sharedPath('models', 'webtune--tiny-random-gpt2');
const adapterDir = join(base, 'lora-init');
// A prompt on which lora-init changes GPT-2's greedy continuation (on others this tiny random model repeats
// one token either way).
const prompt = 'Customer: my card was charged twice. Agent:';
const tokens = 12;
const classifier = sharedPath('models', 'webtune--tiny-random-bert-cls');
const classifyText = 'the film was good and great';

async function cliTokens(withAdapter: boolean): Promise<number[]> {
  const result = await runCli('generate', [
    ...['--model', base, '--prompt', prompt, '--max-new-tokens', String(tokens), '--json'],
    ...['--backend', 'wasm', ...(withAdapter ? ['--adapter', adapterDir] : [])],
  ]);
  expect(result.code, errorLines(result.stderr).join('\n')).toBe(0);
  return (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { token_ids: number[] }).token_ids;
}

async function loadAdapter(page: Page, id: string) {
  const field = page.getByLabel('LoRA adapter', { exact: true });
  await field.fill(id);
  await field.press('Enter');
}

describe('a PEFT LoRA adapter imported in the app', () => {
  let browser: Browser;
  let hub: HubMirror;
  let wrongTask: string;
  let work: string;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    work = mkdtempSync(join(tmpdir(), 'webtune-lora-import-'));
    // lora-init relabelled as a classifier's adapter: refused on a decoder for its task_type.
    wrongTask = mkdtempSync(join(tmpdir(), 'webtune-wrong-task-'));
    const config = JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8'));
    writeFileSync(
      join(wrongTask, 'adapter_config.json'),
      JSON.stringify({ ...config, task_type: 'SEQ_CLS' }),
    );
    copyFileSync(join(adapterDir, 'adapter_model.safetensors'), join(wrongTask, 'adapter_model.safetensors'));
    // A classifier's adapter, as `npm run train -- --mode lora --export adapter` writes it.
    writeSentimentCsv(join(work, 'train.csv'), 32, 3);
    const trained = await runCli('train', [
      ...['--data', join(work, 'train.csv'), '--model', classifier, '--backend', 'cpu'],
      ...['--out', join(work, 'adapter')],
      ...['--mode', 'lora', '--lora-r', '4', '--lora-alpha', '16', '--export', 'adapter'],
      ...['--epochs', '2', '--lr', '1e-2', '--batch-size', '8', '--max-length', '24'],
    ]);
    expect(trained.code, errorLines(trained.stderr).join('\n')).toBe(0);
    browser = await launchChromium();
    hub = await startHubMirror({
      repos: {
        'webtune/tiny-gpt2-lora': adapterDir,
        'webtune/tiny-gpt2-wrong-task': wrongTask,
        'webtune/tiny-bert-cls-lora': join(work, 'adapter'),
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    rmSync(wrongTask, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('generates with the adapter applied: the CLI --adapter tokens, not the base model’s', async () => {
    const [withAdapter, without] = [await cliTokens(true), await cliTokens(false)];
    expect(withAdapter).not.toEqual(without);

    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`,
    );
    await page.getByRole('button', { name: /Model/ }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-gpt2');
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind="decoder"]').waitFor({ timeout: 60_000 });

    // A model repo is not an adapter; a classifier's adapter does not go on a decoder.
    const error = page.getByTestId('adapter-error');
    await loadAdapter(page, 'webtune/tiny-random-gpt2');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toContain('has no adapter_config.json: it is not a PEFT adapter');
    await loadAdapter(page, 'webtune/tiny-gpt2-wrong-task');
    await expect.poll(() => error.innerText(), { timeout: 30_000 }).toContain('is a SEQ_CLS adapter');
    expect(await error.innerText()).toContain('it takes CAUSAL_LM adapters');

    await loadAdapter(page, 'webtune/tiny-gpt2-lora');
    const facts = page.getByTestId('adapter-facts');
    await facts.waitFor({ timeout: 30_000 });
    const text = await facts.innerText();
    expect(text).toMatch(/task_type\s*CAUSAL_LM/);
    expect(text).toMatch(/\br\s*4\b/);
    expect(text).toMatch(/lora_alpha\s*8/);
    expect(text).toMatch(/target_modules\s*c_attn/);
    expect(await error.count()).toBe(0);
    await page.screenshot({ path: join(shots, 'model-step-adapter.png'), fullPage: true });

    await page.getByRole('button', { name: /Evaluate/ }).click();
    await page.getByLabel(/max_new_tokens/).fill(String(tokens));
    await page.getByLabel('Text to continue').fill(prompt);
    await page.getByRole('button', { name: 'Generate' }).click();
    const output = page.getByTestId('generation-output');
    await page.locator('[data-testid="generation-output"][data-token-ids]').waitFor({ timeout: 60_000 });
    expect(JSON.parse((await output.getAttribute('data-token-ids')) ?? '[]')).toEqual(withAdapter);
    await page.screenshot({ path: join(shots, 'playground-adapter.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });

  it('classifies with a SEQ_CLS adapter’s head: the probabilities npm run predict --adapter gives', async () => {
    const adapter = join(work, 'adapter');
    writeFileSync(join(work, 'probe.csv'), `text\n${classifyText}\n`);
    const predicted = await runCli('predict', [
      ...['--model', classifier, '--adapter', adapter, '--data', join(work, 'probe.csv')],
      ...['--out', join(work, 'predicted.csv'), '--backend', 'wasm', '--max-length', '24'],
    ]);
    expect(predicted.code, errorLines(predicted.stderr).join('\n')).toBe(0);
    const [header, row] = readFileSync(join(work, 'predicted.csv'), 'utf8').trim().split('\n');
    const labels = header!.split(',').slice(2);
    const cli = row!.split(',').slice(2).map(Number);
    // Two classes trained on a base whose id2label has three: PEFT adapters carry no names, so LABEL_i.
    expect(labels).toEqual(['LABEL_0', 'LABEL_1']);

    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`,
    );
    await page.getByRole('button', { name: /Model/ }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-bert-cls');
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind="encoder"]').waitFor({ timeout: 60_000 });

    // A decoder's adapter does not go on a classifier.
    const error = page.getByTestId('adapter-error');
    await loadAdapter(page, 'webtune/tiny-gpt2-lora');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toContain('is a CAUSAL_LM adapter');
    expect(await error.innerText()).toContain('it takes SEQ_CLS adapters');

    await loadAdapter(page, 'webtune/tiny-bert-cls-lora');
    const facts = page.getByTestId('adapter-facts');
    await facts.waitFor({ timeout: 30_000 });
    const text = await facts.innerText();
    expect(text).toMatch(/task_type\s*SEQ_CLS/);
    expect(text).toMatch(/lora_alpha\s*16/);
    expect(text).toMatch(/Labels\s*LABEL_0, LABEL_1/);

    await page.getByRole('button', { name: /Evaluate/ }).click();
    await page.getByRole('button', { name: 'Use the loaded model as it is' }).click();
    await page.getByTestId('results-model').waitFor();
    expect(await page.getByTestId('results-model').getByRole('listitem').allInnerTexts()).toEqual([
      'LABEL_0',
      'LABEL_1',
    ]);
    await page.getByLabel('Text to classify').fill(classifyText);
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const bars = page.getByTestId('probabilities');
    await bars.waitFor();
    const shown: Record<string, number> = await bars.evaluate((ul) =>
      Object.fromEntries(
        [...ul.querySelectorAll('li')].map((li) => [li.dataset.label, Number(li.dataset.probability)]),
      ),
    );
    const diff = Math.max(...labels.map((label, c) => Math.abs(shown[label]! - cli[c]!)));
    console.log(
      `app vs predict --adapter probabilities ${JSON.stringify(cli)}: max |Δ| ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThan(1e-5);
    await page.screenshot({ path: join(shots, 'playground-classifier-adapter.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });

  it('a LoRA run with the adapter loaded continues it: its config, and its values at the start', async () => {
    const adapter = join(work, 'adapter');
    const peft = readSafetensors(new Uint8Array(readFileSync(join(adapter, 'adapter_model.safetensors'))));
    const { page, errors } = await openPage(browser, `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`);
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([
        { name: 'train.csv', mimeType: 'text/csv', buffer: readFileSync(join(work, 'train.csv')) },
      ]);
    await page.getByTestId('validation-count').waitFor();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/tiny-random-bert-cls');
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind="encoder"]').waitFor({ timeout: 60_000 });
    await loadAdapter(page, 'webtune/tiny-bert-cls-lora');
    await page.getByTestId('adapter-facts').waitFor({ timeout: 30_000 });

    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    await trainField(page, 'mode').selectOption('lora');
    expect(await page.getByTestId('lora-adapter-note').innerText()).toContain(
      'continues adapter webtune/tiny-bert-cls-lora (r 4, alpha 16)',
    );
    // The adapter's config replaces the LoRA fields.
    expect(await trainField(page, 'lora_alpha').count()).toBe(0);
    // A rate so small that the run's adapter stays the one it started from: PEFT's values, not new ones
    // (new adapters start with lora_B at zero).
    await trainField(page, 'learning_rate').fill('1e-12');
    await trainField(page, 'num_train_epochs').fill('1');
    await trainField(page, 'max_length').fill('24');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000, interval: 500 })
      .toBe('finished');
    expect(await page.getByTestId('run-row').first().textContent()).toContain('LoRA r 4');

    const final = await page.evaluate(
      () =>
        new Promise<[string, number[]][]>((resolve, reject) => {
          const open = indexedDB.open('webtune');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('checkpoints');
            const all = tx.objectStore('checkpoints').getAll();
            tx.oncomplete = () => {
              open.result.close();
              const entry = (
                all.result as { kind: string; weights: Map<string, { data: Float32Array }> }[]
              ).find((c) => c.kind === 'final')!;
              resolve([...entry.weights].map(([name, t]) => [name, Array.from(t.data)]));
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    const loraNames = final.map(([name]) => name).filter((n) => /\.lora_[AB]\.weight$/.test(n));
    expect(loraNames.length).toBeGreaterThan(0);
    let diff = 0;
    for (const [name, values] of final) {
      const theirs = peft.get(`base_model.model.${name}`);
      if (!theirs) continue;
      values.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - theirs.data[i]!))));
    }
    expect(final.filter(([name]) => peft.has(`base_model.model.${name}`)).length).toBe(peft.size);
    console.log(
      `continued run's final adapter vs the imported PEFT adapter: max |Δ| ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThan(1e-6);
    expect(errors).toEqual([]);
  });
});
