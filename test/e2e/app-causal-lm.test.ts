// Generative fine-tuning in the app, as a person does it: the Data step says which of the three forms a dropped
// file is (plain text, instruction, chat) and shows its cleaning report and split; choosing a decoder in the
// Model step makes the Train step a causal-LM run (task, causal-LM defaults, block_size / packing /
// completion_only_loss); the worker trains it (pause and resume from the stored checkpoint), Watch charts
// perplexity, and the run ends with its final evaluation. Data rows are made here with known dirt (duplicates,
// empty texts, malformed conversations, over-long rows), so every count the page shows is known in advance.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';

const SHOTS = `${repoRoot}/test-results/app-causal-lm`;

const WORDS = ['apple', 'river', 'stone', 'cloud', 'green', 'music', 'paper', 'light', 'market', 'winter'];
/** Distinct instruction rows, the CLI test's: the i-th pair of words to repeat. */
const instructionRows = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const w = WORDS[i % WORDS.length]!;
    const v = WORDS[Math.floor(i / WORDS.length)]!;
    return { prompt: `Repeat twice: ${w} ${v}\nAnswer:`, completion: ` ${w} ${v} ${w} ${v}` };
  });
/** Two rows far longer than a block of 32 tokens (60 words of completion each). */
const LONG = [0, 1].map((k) => ({
  prompt: `Write out the list ${k}:`,
  completion: ` ${Array.from({ length: 60 }, (_, i) => WORDS[(i + k) % WORDS.length]).join(' ')}`,
}));
const jsonl = (xs: object[]) => Buffer.from(xs.map((x) => JSON.stringify(x)).join('\n') + '\n');

// 40 good rows + 2 long ones, one duplicate, one with an empty completion: 44 read, 42 kept, 4 held out (10 %).
const INSTRUCTION = [
  ...instructionRows(40),
  ...LONG,
  instructionRows(1)[0]!,
  { prompt: 'Repeat twice: nothing\nAnswer:', completion: '' },
];
const chat = (i: number) => ({
  messages: [
    { role: 'user', content: `Say ${WORDS[i % 10]} ${WORDS[Math.floor(i / 10)]}` },
    { role: 'assistant', content: `${WORDS[i % 10]} ${WORDS[Math.floor(i / 10)]}` },
  ],
});
// 20 good conversations, one duplicate, two malformed (a role that is none of the three, no assistant turn).
const CHAT = [
  ...Array.from({ length: 20 }, (_, i) => chat(i)),
  chat(3),
  { messages: [{ role: 'bot', content: 'hi' }] },
  { messages: [{ role: 'user', content: 'anyone?' }] },
];
// 30 distinct lines and two repeated.
const TEXT_LINES = [
  ...Array.from(
    { length: 30 },
    (_, i) => `The ${WORDS[i % 10]} by the ${WORDS[Math.floor(i / 10) + 3]} is quiet.`,
  ),
  'The apple by the cloud is quiet.',
  'The river by the cloud is quiet.',
];

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

const runStatus = (page: Page) => page.getByTestId('run-status').textContent();

async function drop(page: Page, name: string, buffer: Buffer) {
  await page
    .getByLabel('Dataset files', { exact: true })
    .setInputFiles([{ name, mimeType: 'text/plain', buffer }]);
  await page
    .locator(`[aria-label="Dataset ${name}"] [data-testid="generative-split"]`)
    .waitFor({ timeout: 30_000 });
}

async function issueCounts(page: Page): Promise<Record<string, number>> {
  return page
    .getByTestId('generative-issues')
    .locator('tr[data-count]')
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((r) => [(r as HTMLElement).dataset.issue, Number((r as HTMLElement).dataset.count)]),
      ),
    );
}

async function split(page: Page): Promise<[number, number]> {
  const el = page.getByTestId('generative-split');
  return [Number(await el.getAttribute('data-train')), Number(await el.getAttribute('data-validation'))];
}

describe('generative fine-tuning in the app', () => {
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

  it('the Data step says which form a generative file is, with its cleaning report and split', async () => {
    await drop(page, 'notes.txt', Buffer.from(TEXT_LINES.join('\n') + '\n'));
    expect(await page.getByTestId('generative-kind').getAttribute('data-kind')).toBe('text');
    expect(await issueCounts(page)).toEqual({ 'empty-texts': 0, duplicates: 2 });
    expect(await split(page)).toEqual([27, 3]);

    await drop(page, 'conversations.jsonl', jsonl(CHAT));
    expect(await page.getByTestId('generative-kind').getAttribute('data-kind')).toBe('chat');
    expect(await issueCounts(page)).toEqual({
      'empty-texts': 0,
      duplicates: 1,
      'malformed-conversations': 2,
    });
    expect(await page.getByTestId('generative-issues').innerText()).toContain(
      'conversations.jsonl row 22: message 1 has role "bot", not system, user or assistant',
    );
    expect(await split(page)).toEqual([18, 2]);

    await drop(page, 'support.jsonl', jsonl(INSTRUCTION));
    expect(await page.getByTestId('generative-kind').getAttribute('data-kind')).toBe('instruction');
    expect(await issueCounts(page)).toEqual({ 'empty-texts': 1, duplicates: 1 });
    expect(await split(page)).toEqual([38, 4]);
    await shot(page, '1-data');
    await page.getByRole('button', { name: 'Use this dataset' }).click();
  });

  it('a decoder makes the Train step a causal-LM run that trains, pauses, resumes and is evaluated', async () => {
    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/gpt2-tiny-lm');
    await field.press('Enter');
    await page.locator('[data-testid="model-facts"][data-model-kind="decoder"]').waitFor({ timeout: 60_000 });

    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    expect(await page.getByTestId('train-task').getAttribute('data-task')).toBe('causal-lm');
    expect(await page.getByTestId('train-decoder-note').count()).toBe(0);
    const fields = page.getByTestId('causal-lm-fields');
    expect(await fields.getAttribute('data-kind')).toBe('instruction');
    // The core's defaults for instruction data on a 256-position model: block min(256, 512), no packing, loss
    // on the completion only; assistant_only_loss is for chat and not shown.
    expect(await page.getByLabel('block_size').inputValue()).toBe('256');
    expect(await page.getByLabel('packing').inputValue()).toBe('false');
    expect(await page.getByLabel('completion_only_loss').inputValue()).toBe('true');
    expect(await page.getByLabel('assistant_only_loss').count()).toBe(0);
    expect(await page.getByLabel('metric_for_best_model').inputValue()).toBe('loss');
    await page.getByLabel('block_size').fill('300');
    expect(await page.getByTestId('causal-lm-fields-error').innerText()).toContain('more than the model');
    expect(await page.getByRole('button', { name: 'Start training', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('block_size').fill('32');
    await shot(page, '2-train-ready');

    const start = page.getByRole('button', { name: 'Start training', exact: true });
    expect(await start.isEnabled()).toBe(true);
    await start.click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress-step"]')?.textContent?.split('/')[0]) >= 2,
      undefined,
      { timeout: 90_000 },
    );
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('paused');
    const pausedAt = Number((await page.getByTestId('progress-step').textContent())?.split('/')[0]);
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 500 }).toBe('finished');
    await shot(page, '3-finished');

    const [done, total] = ((await page.getByTestId('progress-step').textContent()) ?? '')
      .split('/')
      .map((x) => Number(x.trim()));
    // 38 rows, batch 8, 2 epochs (the causal-LM defaults): 5 updates per epoch.
    expect(total).toBe(10);
    expect(done).toBe(total);
    expect(pausedAt).toBeLessThan(total!);
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(Object.keys(latest)).toEqual(['step', 'epoch', 'eval_loss', 'eval_perplexity']);
    expect(latest.eval_perplexity).toBeCloseTo(Math.exp(latest.eval_loss!), 6);
    expect(await page.getByText('Perplexity (validation)').count()).toBe(1);

    const data = page.getByTestId('causal-lm-data');
    expect(await data.getAttribute('data-kind')).toBe('instruction');
    expect(await data.innerText()).toMatch(
      /38 training and 4 validation rows of at most 32 tokens; 2 over-long rows lose \d+ tokens/,
    );
    const final = JSON.parse((await page.getByTestId('causal-lm-final-json').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(final.step).toBe(total);
    expect(final.perplexity).toBeCloseTo(Math.exp(final.eval_loss!), 6);
    // The last evaluation scored the same weights on the same rows (eval at the last epoch's end).
    expect(Math.abs(final.eval_loss! - latest.eval_loss!)).toBeLessThan(1e-6);
    expect(final.eval_bleu).toBeGreaterThanOrEqual(0);
    expect(final.eval_rougeL).toBeGreaterThanOrEqual(0);
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });
});
