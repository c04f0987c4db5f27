// A decoder in the app, as a person uses it: load GPT-2 and Llama fixtures in the Model step (their facts),
// continue a prompt in the Playground with greedy decoding (the same tokens transformers generated, streamed in),
// and chat with the Llama fixture through its chat template. Screenshots go to test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readDecoderReference } from '../support/decoder-reference';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage } from './browser';

const shots = join(repoRoot, 'test-results', 'decoder');

async function loadModel(page: Page, id: string) {
  await page.getByRole('button', { name: /Model/ }).click();
  const field = page.getByLabel('Model', { exact: true });
  await field.fill(id);
  await field.press('Enter');
  await page.locator(`[data-testid="model-facts"][data-model-kind]`).waitFor({ timeout: 60_000 });
  return page.getByTestId('model-facts').innerText();
}

async function setGreedyTokens(page: Page, tokens: number) {
  await page.getByLabel(/max_new_tokens/).fill(String(tokens));
}

describe('a decoder in the app', () => {
  let browser: Browser;
  let hub: HubMirror;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    hub = await startHubMirror();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('loads GPT-2, shows what it is, and continues a prompt with transformers’ greedy tokens', async () => {
    const reference = readDecoderReference('gpt2');
    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`,
    );
    const facts = await loadModel(page, 'webtune/tiny-random-gpt2');
    expect(facts).toContain('GPT2LMHeadModel');
    expect(facts).toContain('causal language model');
    expect(facts).toContain(`${reference.contextLength.toLocaleString('en-US')} tokens`);
    expect(facts).toMatch(/Chat template\s*no/);
    await page.screenshot({ path: join(shots, 'model-step-gpt2.png'), fullPage: true });

    // The Train step says what a decoder is for, and does not offer to start.
    await page.getByRole('button', { name: /Train/ }).click();
    await expect.poll(() => page.getByTestId('train-decoder-note').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start training' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: /Evaluate/ }).click();
    // GPT-2 has no chat template: a plain continuation, greedy by default.
    expect(await page.getByRole('radiogroup', { name: 'Playground view' }).count()).toBe(0);
    expect(await page.getByLabel(/do_sample/).isChecked()).toBe(false);
    await setGreedyTokens(page, reference.greedy[0]!.length);
    await page.getByLabel('Text to continue').fill(reference.prompts[0]!);
    await page.getByRole('button', { name: 'Generate' }).click();
    const output = page.getByTestId('generation-output');
    await page.locator('[data-testid="generation-output"][data-token-ids]').waitFor({ timeout: 60_000 });
    const ids = JSON.parse((await output.getAttribute('data-token-ids')) ?? '[]');
    expect(ids).toEqual(reference.greedy[0]);
    expect(await output.innerText()).toContain(reference.prompts[0]);
    const stats = await page.getByTestId('generation-stats').innerText();
    expect(stats).toContain(`${reference.greedy[0]!.length} new tokens`);
    expect(stats).toContain('reached the maximum length');
    await page.screenshot({ path: join(shots, 'playground-gpt2.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });

  it('chats with the Llama fixture through its chat template, reply streamed and kept in the log', async () => {
    const reference = readDecoderReference('llama');
    const { page, errors } = await openPage(browser, `${inject('appUrl')}/?hub=${hub.url}&backend=wasm`);
    const facts = await loadModel(page, 'webtune/tiny-random-llama');
    expect(facts).toContain('LlamaForCausalLM');
    expect(facts).toContain(reference.parameters.toLocaleString('en-US'));
    expect(facts).toMatch(/Chat template\s*yes/);

    await page.getByRole('button', { name: /Evaluate/ }).click();
    await setGreedyTokens(page, 8);
    await page.getByLabel('Your message').fill('Hello there');
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByTestId('chat-log');
    await expect
      .poll(() => log.locator('[data-role="assistant"]:not([data-streaming])').count(), { timeout: 60_000 })
      .toBe(1);
    expect(await log.locator('[data-role="user"]').innerText()).toContain('Hello there');
    const stats = page.getByTestId('generation-stats');
    expect(await stats.innerText()).toMatch(/prompt \d+ tokens/);

    // A second turn carries the first in the prompt (the chat template renders the whole conversation).
    const firstPrompt = Number(/prompt (\d+) tokens/.exec(await stats.innerText())![1]);
    await page.getByLabel('Your message').fill('And then?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => log.locator('[data-role="assistant"]:not([data-streaming])').count(), { timeout: 60_000 })
      .toBe(2);
    const secondPrompt = Number(/prompt (\d+) tokens/.exec(await stats.innerText())![1]);
    expect(secondPrompt).toBeGreaterThan(firstPrompt);

    // Sampling: the same seed gives the same reply twice.
    await page.getByLabel(/do_sample/).check();
    // The Playground's seed (the Train form, mounted too, has a "Seed · seed" of its own).
    await page.getByRole('group', { name: 'Generation settings' }).getByLabel(/^Seed/).fill('7');
    await page.getByRole('radio', { name: 'Plain text' }).check();
    const sample = async () => {
      await page.getByLabel('Text to continue').fill(reference.prompts[1]!);
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.locator('[data-testid="generation-output"][data-token-ids]').waitFor({ timeout: 60_000 });
      return page.getByTestId('generation-output').getAttribute('data-token-ids');
    };
    const first = await sample();
    const second = await sample();
    expect(second).toBe(first);
    await page.screenshot({ path: join(shots, 'playground-llama.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
