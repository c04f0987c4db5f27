// The app's look (issue 17): every step, in light and dark mode, passes axe-core with no colour-contrast and no
// other serious or critical violation, nothing overflows the page at 390 px, and every step is kept as a
// screenshot at 1280×800 and 390×844 (test-results/look/). The steps are reached with the keyboard only.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../support/shared';
import { launchChromium, openPage } from './browser';
import { trainField } from './harness/train-form';

const shots = join(repoRoot, 'test-results', 'look');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's violations on the page as it is now: every colour-contrast one, and the serious or critical rest. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Violation[] }> } }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.id === 'color-contrast' || v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes
          .slice(0, 5)
          .map((n) => `${n.target.join(' ')} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
          .join(' | ')}`,
    );
}

/** How far the page scrolls sideways (0 when nothing is wider than the viewport). */
const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The checks on one step: axe in light and dark at both sizes' first, overflow at 390 px, and four screenshots. */
async function checkStep(page: Page, name: string, problems: string[]): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      if (width === 390) {
        const overflow = await horizontalOverflow(page);
        if (overflow > 0)
          problems.push(`${name}, ${colorScheme}, 390 px: the page scrolls ${overflow} px sideways`);
      }
      for (const v of await axeViolations(page)) problems.push(`${name}, ${colorScheme}, ${width} px: ${v}`);
      await page.screenshot({ path: join(shots, `${name}-${colorScheme}-${width}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The WCAG contrast ratio of an element's text colour against its own background colour. */
const contrastOf = (locator: Locator) =>
  locator.evaluate((element) => {
    const style = getComputedStyle(element);
    const luminance = (color: string) => {
      const canvas = document.createElement('canvas').getContext('2d')!;
      canvas.fillStyle = color;
      canvas.fillRect(0, 0, 1, 1);
      const [r, g, b] = Array.from(canvas.getImageData(0, 0, 1, 1).data.slice(0, 3)).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
    return (a! + 0.05) / (b! + 0.05);
  });

/** How many lines an element's text takes (a wrapped label gives more than one line box). */
const textLines = (locator: Locator) =>
  locator.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
  });

/** Moves to a step with the keyboard: Tab to its button in the step navigation, Enter. */
async function goToStep(page: Page, title: string): Promise<void> {
  const button = page
    .getByRole('navigation', { name: 'Steps' })
    .getByRole('button', { name: new RegExp(title) });
  for (let i = 0; i < 200; i++) {
    if (await button.evaluate((b) => b === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  expect(await button.getAttribute('aria-current')).toBe('step');
}

describe('the look of every step', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('trains with wasm on a software WebGPU adapter unless asked, says why, and offers the adapter', async () => {
    const { page, errors } = await openPage(browser, `${inject('appUrl')}/?hub=${inject('hubUrl')}`);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend'),
    );
    expect(await page.getByTestId('backend').getAttribute('data-backend')).toBe('wasm');
    expect(await page.getByTestId('backend').innerText()).toMatch(
      /^wasm, \d+ threads?: WebGPU passed over because its only adapter is software \(.*swiftshader.*\)/i,
    );
    const anyway = page.getByRole('link', { name: 'Use the software WebGPU adapter anyway' });
    expect(await anyway.getAttribute('href')).toBe(
      `?hub=${encodeURIComponent(inject('hubUrl'))}&backend=webgpu`,
    );
    await goToStep(page, 'Train');
    expect(await page.getByTestId('step-summary').innerText()).toBe(
      "Set the hyper-parameters and fine-tune the model on this machine's CPU (wasm).",
    );
    expect(await page.locator('body').innerText()).not.toMatch(/your (own )?GPU/);
    // The choice: the link reloads the page on the adapter.
    await anyway.click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="backend"]')?.getAttribute('data-backend') === 'webgpu',
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.getByTestId('step-summary').innerText()).toBe(
      "Set the hyper-parameters and fine-tune the model on this machine's CPU, through a software WebGPU adapter.",
    );
    expect(errors).toEqual([]);
  });

  it('passes axe-core in light and dark, fits 390 px, and is kept as screenshots', async () => {
    const { page, errors, offMachine } = await openPage(
      browser,
      `${inject('appUrl')}/?hub=${inject('hubUrl')}&backend=wasm`,
    );
    // Every step's problems, asserted at the end so that one run lists them all.
    const problems: string[] = [];
    await page.getByText('No datasets stored yet.').waitFor();
    await checkStep(page, '1-data-empty', problems);

    await page.getByRole('button', { name: 'Try with movie reviews' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Dataset movie-reviews.csv' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('validation-count').waitFor();
    await checkStep(page, '1-data', problems);
    await page.getByRole('button', { name: 'Use this dataset' }).focus();
    await page.keyboard.press('Enter');

    // A model the Hub does not give: the step says how to get a gated or private one (it takes no token).
    const field = page.getByLabel('Model', { exact: true });
    // "Use this dataset" saves the choice, then opens the Model step.
    await field.waitFor();
    await field.focus();
    await page.keyboard.type('webtune/no-such-model');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'no-such-model' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('access-token-note').innerText()).toMatch(
      /no field for a Hugging Face access token.*hf download webtune\/no-such-model --local-dir model.*Or drop a model folder/s,
    );
    await checkStep(page, '2-model-refused', problems);
    await field.fill('');
    await field.focus();
    await page.keyboard.type('webtune/tiny-random-bert-cls');
    await page.keyboard.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    // The refusal and its note are gone; the next action is offered, and reached with the keyboard.
    expect(await page.getByTestId('access-token-note').count()).toBe(0);
    const next = page.getByRole('button', { name: 'Continue to training' });
    await next.waitFor();
    await checkStep(page, '2-model', problems);
    await next.focus();
    await page.keyboard.press('Enter');
    expect(
      await page
        .getByRole('navigation', { name: 'Steps' })
        .getByRole('button', { name: /Train/ })
        .getAttribute('aria-current'),
    ).toBe('step');
    expect(await page.title()).toBe('Train · WebTune');
    // wasm was asked for: the Train step says where it trains, and not "your GPU".
    expect(await page.getByTestId('step-summary').innerText()).toBe(
      "Set the hyper-parameters and fine-tune the model on this machine's CPU (wasm).",
    );

    await trainField(page, 'num_train_epochs').fill('1');
    await trainField(page, 'max_length').fill('16');
    await checkStep(page, '3-train-ready', problems);
    // Before Start: the steps the settings make of the 270 training rows (ceil(270 / 16) = 17 per epoch) and the
    // memory; the run then takes exactly that many.
    const plan = page.getByTestId('run-plan');
    expect(await plan.getAttribute('data-steps')).toBe('17');
    expect(await plan.innerText()).toMatch(
      /^17 steps \(270 training examples, 17 updates of 16 per epoch, 1 epoch\); memory needed about [\d.]+ MiB/,
    );
    await trainField(page, 'num_train_epochs').fill('2');
    await expect.poll(() => plan.getAttribute('data-steps')).toBe('34');
    await trainField(page, 'num_train_epochs').fill('1');
    // axe skips disabled controls: their text is measured here (Pause is disabled before a run).
    expect(await contrastOf(page.getByRole('button', { name: 'Pause', exact: true }))).toBeGreaterThanOrEqual(
      4.5,
    );
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await contrastOf(page.getByRole('button', { name: 'Pause', exact: true }))).toBeGreaterThanOrEqual(
      4.5,
    );
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Start training', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000, interval: 500 })
      .toBe('finished');
    await checkStep(page, '3-train-finished', problems);
    expect(await page.getByTestId('progress-step').textContent()).toBe('17 / 17');
    // What Start needed is there: its message is gone.
    expect(await page.getByText('Start training needs a loaded model').count()).toBe(0);

    // Stop on a long run: "stopping…" shows at once, while the status still says running, and goes when stopped.
    await trainField(page, 'num_train_epochs').fill('200');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 })
      .toBe('running');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress-step"]')?.textContent?.split('/')[0]) >= 2,
      undefined,
      { timeout: 60_000 },
    );
    await page.evaluate(() => {
      const w = window as unknown as { stoppingSeen: boolean };
      w.stoppingSeen = false;
      new MutationObserver(() => {
        const status = document.querySelector('[data-testid="run-status"]')?.textContent;
        if (document.querySelector('[data-testid="run-stopping"]') && status === 'running')
          w.stoppingSeen = true;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // The ETA is a duration once the pace is known (unit/eta.test.ts checks its smoothing).
    await expect
      .poll(() => page.getByTestId('progress-eta').innerText())
      .toMatch(/^\d+ (s|min \d+ s|h \d+ min)$/);
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await stop.click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { stoppingSeen: boolean }).stoppingSeen))
      .toBe(true);
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 })
      .toBe('stopped');
    expect(await page.getByTestId('run-stopping').count()).toBe(0);

    // Runs: default names tell the two apart (the second says the setting that differs), dates are written in
    // the browser's locale, and the comparison lives in the Train step with every setting, the differing marked.
    const stored = page.getByRole('table', { name: 'Stored runs' });
    await expect.poll(() => stored.getByRole('rowheader').count(), { timeout: 30_000 }).toBe(2);
    const names = (await stored.getByRole('rowheader').allInnerTexts()).map((t) => t.split('\n')[0]!.trim());
    expect(names[0]).toMatch(/^tiny-random-bert-cls · movie-reviews\.csv · num_train_epochs 200 · \d/);
    expect(names[1]).toMatch(/^tiny-random-bert-cls · movie-reviews\.csv · \d[^·]*$/);
    const dates = await page.locator('.run-list time, [aria-label="Stored runs"] time').evaluateAll((times) =>
      times.map((t) => [
        t.textContent,
        new Date(t.getAttribute('datetime')!).toLocaleString(undefined, {
          dateStyle: 'medium',
          timeStyle: 'short',
        }),
      ]),
    );
    expect(dates.length).toBe(4);
    for (const [shown, expected] of dates) expect(shown).toBe(expected);
    for (const name of names) await page.getByRole('checkbox', { name: `Compare ${name}` }).check();
    const side = page.getByRole('table', { name: 'Settings side by side' });
    await side.waitFor();
    const rows = await side
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.querySelector('th')!.textContent!, tr.classList.contains('differs')] as const),
      );
    expect(rows.filter(([, differs]) => differs).map(([name]) => name)).toEqual(['num_train_epochs']);
    for (const setting of [
      'learning_rate',
      'warmup_ratio',
      'weight_decay',
      'save_seconds',
      'max_length',
      'validation_share',
      'model',
      'dataset',
      'backend',
    ])
      expect(rows.map(([name]) => name)).toContain(setting);
    await checkStep(page, '3-train-compare', problems);
    // At 390 px a run's Delete button keeps its label on one line, in the run list and in the runs table.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const deleteButton of [
      page.getByRole('button', { name: /^Delete run / }).first(),
      stored.getByRole('button', { name: /^Delete / }).first(),
    ])
      expect(await textLines(deleteButton)).toBe(1);
    await page.setViewportSize({ width: 1280, height: 800 });

    await goToStep(page, 'Evaluate');
    await page.getByTestId('results-model').waitFor({ timeout: 60_000 });
    await page.getByRole('table', { name: /per-class/i }).waitFor({ timeout: 60_000 });
    await checkStep(page, '4-evaluate', problems);
    // At 390 px a misclassified example's text takes the width (a card), not one word a line.
    await page.setViewportSize({ width: 390, height: 844 });
    const mistake = page
      .getByRole('table', { name: 'Misclassified examples' })
      .locator('td.example-text')
      .first();
    expect((await mistake.boundingBox())!.width).toBeGreaterThanOrEqual(200);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(6000);
    await page.setViewportSize({ width: 1280, height: 800 });

    await goToStep(page, 'Export');
    await page.getByRole('heading', { name: 'Download' }).waitFor();
    // The comparison moved to the Train step.
    expect(await page.getByRole('heading', { name: 'Compare runs' }).count()).toBe(0);
    await checkStep(page, '5-export', problems);

    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
