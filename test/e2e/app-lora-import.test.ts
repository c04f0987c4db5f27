// Importing a PEFT LoRA adapter in the app, as a person does it: load GPT-2's fixture in the Model step, give
// the adapter PEFT itself wrote (lora-init) by Hub id, see its facts, and the Playground's greedy tokens are
// `npm run generate -- --adapter`'s for the same prompt (the CLI path is checked against PEFT in
// test/unit/lora-peft.test.ts) and not the base model's. Wrong adapters are refused with their reason.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorLines, runCli } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { repoRoot, sharedPath } from '../support/shared';
import { launchChromium, openPage } from './browser';

const shots = join(repoRoot, 'test-results', 'lora-import');
const base = sharedPath('models', 'webtune--tiny-random-gpt2');
const adapterDir = join(base, 'lora-init');
// A prompt on which lora-init changes GPT-2's greedy continuation (on others this tiny random model repeats
// one token either way).
const prompt = 'Customer: my card was charged twice. Agent:';
const tokens = 12;

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
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    // lora-init relabelled as a classifier's adapter: refused on a decoder for its task_type.
    wrongTask = mkdtempSync(join(tmpdir(), 'webtune-wrong-task-'));
    const config = JSON.parse(readFileSync(join(adapterDir, 'adapter_config.json'), 'utf8'));
    writeFileSync(
      join(wrongTask, 'adapter_config.json'),
      JSON.stringify({ ...config, task_type: 'SEQ_CLS' }),
    );
    copyFileSync(join(adapterDir, 'adapter_model.safetensors'), join(wrongTask, 'adapter_model.safetensors'));
    browser = await launchChromium();
    hub = await startHubMirror({
      repos: { 'webtune/tiny-gpt2-lora': adapterDir, 'webtune/tiny-gpt2-wrong-task': wrongTask },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    rmSync(wrongTask, { recursive: true, force: true });
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
});
