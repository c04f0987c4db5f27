// Train and Watch as a person does them: drop a small SST-2 CSV, "Use this dataset", load bert-tiny-mlm from the
// local Hub mirror, press "Start training" with the defaults, pause and resume, wait for `finished`, read the
// latest evaluation; after a reload the run is still listed. No page error, no request off the machine.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unzipSync } from 'fflate';
import { pyValue } from '../../src/core/export/project/python';
import { WORDPIECE_FOLDER_FILES } from '../support/export-layout';
import { repoRoot, sharedPath } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';
import { downloadTrainingProject } from './harness/training-project';
import { setTrainField, setTrainFields, trainField } from './harness/train-form';

const SHOTS = `${repoRoot}/test-results/app-train`;

/** The first `n` rows of SST-2's dev set (a quoted CSV), as one CSV file, with both labels present. */
function smallSst2(n: number): Buffer {
  const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  return Buffer.from(`${lines.slice(0, n + 1).join('\n')}\n`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

const runStatus = (page: Page) => page.getByTestId('run-status').textContent();

/** The tokenisation cache's entries in the app's database: [createdAt, rows of each set]. */
const tokenizedEntries = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number[][]>((resolve, reject) => {
        const open = indexedDB.open('webtune');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('tokenized').objectStore('tokenized').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(
              (all.result as { createdAt: number; sets: { labels: Int32Array }[] }[]).map((e) => [
                e.createdAt,
                ...e.sets.map((s) => s.labels.length),
              ]),
            );
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );

describe('the Train step', () => {
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

  it('trains bert-tiny with the defaults, pauses, resumes and finishes with an evaluation', async () => {
    await page
      .getByLabel('Dataset files', { exact: true })
      .setInputFiles([{ name: 'sst2-200.csv', mimeType: 'text/csv', buffer: smallSst2(200) }]);
    await page.getByTestId('validation-count').waitFor();
    await shot(page, '1-data');
    await page.getByRole('button', { name: 'Use this dataset' }).click();

    const field = page.getByLabel('Model', { exact: true });
    await field.fill('webtune/bert-tiny-mlm');
    await field.press('Enter');
    await page.getByTestId('model-facts').waitFor({ timeout: 60_000 });
    await shot(page, '2-model');

    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    expect(await runStatus(page)).toBe('idle');
    // bert-tiny is a tiny model: a learning rate far above BERT-base's.
    expect(Number(await trainField(page, 'learning_rate').inputValue())).toBeGreaterThanOrEqual(1e-4);
    expect(await page.getByTestId('effective-batch').textContent()).toMatch(/Effective batch: \d+ examples/);
    expect(await page.getByTestId('train-backend').textContent()).toMatch(
      /^wasm, \d+ threads? \(as requested\)$/,
    );
    await shot(page, '3-train-ready');

    // The longest main-thread task while training, for the record (timings are not asserted).
    await page.evaluate(() => {
      const w = window as unknown as { longest: number };
      w.longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
      }).observe({ type: 'longtask' });
    });
    const start = page.getByRole('button', { name: 'Start training', exact: true });
    expect(await start.isEnabled()).toBe(true);
    await start.click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    // Pause once a few steps are logged, then resume from the stored checkpoint.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress-step"]')?.textContent?.split('/')[0]) >= 3,
      undefined,
      { timeout: 60_000 },
    );
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('paused');
    const pausedAt = await page.getByTestId('progress-step').textContent();
    await shot(page, '4-paused');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');

    await expect.poll(() => runStatus(page), { timeout: 120_000, interval: 500 }).toBe('finished');
    await shot(page, '5-finished');
    const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
    console.log(
      `Longest main-thread task while training on wasm: ${longest ? `${longest.toFixed(0)} ms` : 'none over 50 ms'}`,
    );
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(Object.keys(latest)).toEqual(['step', 'epoch', 'eval_loss', 'eval_accuracy', 'eval_f1']);
    const [done, total] = ((await page.getByTestId('progress-step').textContent()) ?? '')
      .split('/')
      .map((s) => Number(s.trim()));
    expect(done).toBe(total);
    expect(latest.step).toBe(total);
    expect(Number(pausedAt?.split('/')[0])).toBeLessThan(total!);
    expect(latest.epoch).toBeCloseTo(3, 5);
    expect(latest.eval_loss).toBeGreaterThan(0);
    // The readable sentence beside the hidden JSON names the same step.
    expect(await page.getByTestId('metrics-latest-summary').innerText()).toMatch(
      new RegExp(`^Latest evaluation \\(weights of step ${latest.step}, epoch 3\\.00\\): accuracy \\d`),
    );
    expect(Number.isFinite(latest.eval_loss)).toBe(true);
    for (const k of ['eval_accuracy', 'eval_f1'] as const) {
      expect(latest[k]).toBeGreaterThanOrEqual(0);
      expect(latest[k]).toBeLessThanOrEqual(1);
    }
    // Three evaluations (one per epoch) on the charts, and the run listed as finished.
    expect(await page.locator('.live-chart canvas').count()).toBe(4);
    const run = page.getByTestId('run-row').first();
    expect(await run.getAttribute('data-run-status')).toBe('finished');
    expect(await page.getByRole('alert').count()).toBe(0);
    // The run tokenised the dataset once and cached it: one entry in IndexedDB, holding both sets.
    expect((await tokenizedEntries(page)).map(([, ...rows]) => rows)).toEqual([[180, 20]]);

    await page.setViewportSize({ width: 420, height: 900 });
    await shot(page, '5-finished-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('evaluates, tries and downloads the model it just trained', async () => {
    const steps = page.getByRole('navigation', { name: 'Steps' });
    const lastStep = Number((await page.getByTestId('progress-step').textContent())?.split('/')[0]);
    await steps.getByRole('button', { name: /Evaluate/ }).click();
    // The trained classifier is the results model, evaluated on the validation split by itself; the figures
    // say which weights they describe (the defaults keep the last ones).
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('evaluation-summary').innerText()).toContain(
      `weights: last, step ${lastStep})`,
    );
    const perClass = page.getByRole('table', { name: 'Per-class scores' });
    expect(await perClass.getByRole('rowheader').allInnerTexts()).toEqual(['negative', 'positive']);
    await shot(page, '6-evaluate');

    await page.getByLabel('Text to classify').fill('a charming and often affecting journey');
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const bars = page.getByTestId('probabilities');
    await bars.waitFor();
    const shown: Record<string, number> = await bars.evaluate((ul) =>
      Object.fromEntries(
        [...ul.querySelectorAll('li')].map((li) => [li.dataset.label, Number(li.dataset.probability)]),
      ),
    );
    expect(Object.keys(shown).sort()).toEqual(['negative', 'positive']);
    expect(Object.values(shown).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await shot(page, '7-playground');

    await steps.getByRole('button', { name: /Export/ }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Download model', exact: true }).click(),
    ]);
    const path = await download.path();
    const entries = unzipSync(new Uint8Array(readFileSync(path)));
    // One folder inside the zip, holding the model.
    const folders = new Set(Object.keys(entries).map((n) => n.slice(0, n.indexOf('/'))));
    expect(folders.size).toBe(1);
    const [folder] = [...folders];
    const names = Object.keys(entries).map((n) => n.slice(n.indexOf('/') + 1));
    // Exactly the folder `npm run train --out` writes (test/unit/cli-train.test.ts checks the same list).
    expect(names.sort()).toEqual(WORDPIECE_FOLDER_FILES);
    const text = (name: string) => new TextDecoder().decode(entries[`${folder}/${name}`]);
    const config = JSON.parse(text('config.json')) as { architectures: string[]; id2label: object };
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'negative', 1: 'positive' });
    // The model card reports this run's own final evaluation.
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as {
      eval_accuracy: number;
    };
    expect(text('README.md')).toContain('sst2-200.csv');
    // The run's backend was "wasm, N threads (as requested)" on the page; the files keep only its facts.
    expect(text('README.md')).toContain('trained in the browser with WebTune');
    expect(text('README.md') + text('training_args.json')).not.toContain('as requested');
    expect(
      (JSON.parse(text('training_args.json')) as { webtune: { backend: string } }).webtune.backend,
    ).toMatch(/^wasm, \d+ threads?$/);
    const metrics = JSON.parse(text('metrics.json')) as
      { eval_accuracy?: number }[] | { log_history: object[] };
    const history = Array.isArray(metrics) ? metrics : (metrics.log_history as { eval_accuracy?: number }[]);
    expect(history.some((r) => r.eval_accuracy === latest.eval_accuracy)).toBe(true);
    await page.getByTestId('export-done').waitFor();
    await shot(page, '8-export');
    await steps.getByRole('button', { name: /Train/ }).click();
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('downloads the run as a Hugging Face Trainer project with the rows it trained on', async () => {
    const steps = page.getByRole('navigation', { name: 'Steps' });
    // The recipe the run trained with is the Train form's (the form shows the open run's settings).
    const lr = Number(await trainField(page, 'learning_rate').inputValue());
    await steps.getByRole('button', { name: /Export/ }).click();
    const { names, file, rows } = await downloadTrainingProject(page);
    expect(names).toEqual([
      'README.md',
      'accelerate_config.yaml',
      'data/train.jsonl',
      'data/validation.jsonl',
      'model_card.py',
      'requirements.txt',
      'train.py',
    ]);
    // The run's split of the dropped CSV: 180 training and 20 validation rows, every CSV row once, labels by name.
    const train = rows<{ text: string; label: string }>('data/train.jsonl');
    const validation = rows<{ text: string; label: string }>('data/validation.jsonl');
    expect([train.length, validation.length]).toEqual([180, 20]);
    const csv = smallSst2(200).toString('utf8').trim().split('\n').slice(1);
    const csvLabels = new Set(csv.map((line) => line.slice(line.lastIndexOf(',') + 1)));
    expect(new Set([...train, ...validation].map((r) => r.label))).toEqual(csvLabels);
    expect(new Set([...train, ...validation].map((r) => r.text)).size).toBe(200);
    const script = file('train.py');
    expect(script).toContain('LABELS = ["negative", "positive"]');
    // Under transformers' names.
    expect(script).toContain(`learning_rate=${pyValue(lr)},`);
    expect(script).toContain('num_train_epochs=3,');
    expect(file('requirements.txt')).toMatch(/^torch==[\d.]+\ntransformers==/);
    await page.getByTestId('project-done').waitFor();
    await shot(page, '8-export-project');
    await steps.getByRole('button', { name: /Train/ }).click();
    expect(watched.errors).toEqual([]);
  });

  it('fails a diverging run with an alert and keeps what was stored', async () => {
    // Weights of ±1e30 after one AdamW step overflow float32 in the next forward pass: the loss becomes NaN.
    await trainField(page, 'learning_rate').fill('1e30');
    await trainField(page, 'num_train_epochs').fill('1');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 60_000, interval: 500 }).toBe('failed');
    const alert = await page.getByRole('alert').allTextContents();
    expect(alert.join('\n')).toMatch(
      /Training stopped at step \d+ \(epoch 1\) because the (loss|gradient norm) is (NaN|Infinity|-Infinity).*lower learning rate/,
    );
    await shot(page, '6-failed');
    const statuses = await page
      .getByTestId('run-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-run-status')));
    expect(statuses).toEqual(['failed', 'finished']);
    // The app stays usable: the form is enabled again.
    await trainField(page, 'learning_rate').fill('0.0003');
    expect(await page.getByRole('button', { name: 'Start training', exact: true }).isEnabled()).toBe(true);
    expect(watched.errors).toEqual([]);
  });

  it('stops a run early: it ends as stopped, listed as stopped, and cannot be resumed', async () => {
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress-step"]')?.textContent?.split('/')[0]) >= 1,
      undefined,
      { timeout: 60_000 },
    );
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('stopped');
    expect(await page.locator('.run-status-line .phase').textContent()).toMatch(/^ · stopped at step [1-9]/);
    const run = page.getByTestId('run-row').first();
    expect(await run.getAttribute('data-run-status')).toBe('stopped');
    expect(await run.getByRole('button', { name: /^Resume / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).isDisabled()).toBe(true);
  });

  it('evaluates every eval_steps; the card scores the weights the run ends with (load_best_model_at_end too)', async () => {
    await page.locator('details:has(> summary)').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    const steps = page.getByRole('navigation', { name: 'Steps' });
    /**
     * Trains one epoch at lr 0.05 (too high: the validation loss is not monotone, with this warmup and weight decay;
     * without them bert-tiny's loss falls to the last step) and downloads the model.
     */
    const trainAndDownload = async (evalSteps: number, loadBest: boolean) => {
      await steps.getByRole('button', { name: /Train/ }).click();
      await setTrainFields(page, { warmup_ratio: '0.1', weight_decay: '0.01' });
      await trainField(page, 'learning_rate').fill('0.05');
      await trainField(page, 'num_train_epochs').fill('1');
      await trainField(page, 'eval_strategy').selectOption('steps');
      await trainField(page, 'eval_steps').fill(String(evalSteps));
      await trainField(page, 'metric_for_best_model').selectOption('loss');
      await setTrainField(page, 'load_best_model_at_end', String(loadBest));
      await page.getByRole('button', { name: 'Start training', exact: true }).click();
      await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
      await expect.poll(() => runStatus(page), { timeout: 120_000, interval: 500 }).toBe('finished');
      await steps.getByRole('button', { name: /Export/ }).click();
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 120_000 }),
        page.getByRole('button', { name: 'Download model', exact: true }).click(),
      ]);
      const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
      const file = (name: string) =>
        new TextDecoder().decode(Object.entries(entries).find(([n]) => n.endsWith(`/${name}`))![1]);
      const metrics = JSON.parse(file('metrics.json')) as
        { step: number; eval_loss?: number }[] | { log_history: { step: number; eval_loss?: number }[] };
      const history = Array.isArray(metrics) ? metrics : metrics.log_history;
      return { evaluations: history.filter((r) => r.eval_loss !== undefined), card: file('README.md') };
    };

    // 180 training rows in batches of 16: 12 steps, evaluated at 4, 8 and 12; the best weights come back.
    const best = await trainAndDownload(4, true);
    expect(best.evaluations.map((r) => r.step)).toEqual([4, 8, 12]);
    const lowest = best.evaluations.reduce((a, b) => (b.eval_loss! < a.eval_loss! ? b : a));
    expect(lowest.step).not.toBe(12); // else this run could not tell the best weights from the last
    expect(best.card).toContain(`The exported weights, from step ${lowest.step} `);
    expect(best.card).toContain(`- Loss: ${lowest.eval_loss!.toFixed(4)}`);
    expect(best.card).not.toContain(`- Loss: ${best.evaluations.at(-1)!.eval_loss!.toFixed(4)}`);

    // Evaluated at 5 and 10, trained to 12: the card scores the step-12 weights, not step 10's evaluation.
    const last = await trainAndDownload(5, false);
    expect(last.evaluations.map((r) => r.step)).toEqual([5, 10]);
    expect(last.card).toContain('The exported weights, from step 12 ');
    expect(last.card).toMatch(/- Loss: \d\.\d{4}/);
    expect(last.card).not.toContain(`- Loss: ${last.evaluations.at(-1)!.eval_loss!.toFixed(4)}`);

    // Back to the settings the next tests expect.
    await steps.getByRole('button', { name: /Train/ }).click();
    await trainField(page, 'learning_rate').fill('0.0003');
    await setTrainFields(page, { warmup_ratio: '0', weight_decay: '0' });
    await trainField(page, 'eval_strategy').selectOption('epoch');
    await trainField(page, 'metric_for_best_model').selectOption('f1');
    await setTrainField(page, 'load_best_model_at_end', 'false');
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('resumes a run interrupted by a reload from its last checkpoint', async () => {
    // Four epochs: checkpoints are written while training goes on, so the run must outlast the first one's write.
    await trainField(page, 'num_train_epochs').fill('4');
    await page.getByRole('button', { name: 'Start training', exact: true }).click();
    // Each evaluation is followed by its checkpoint, written while training goes on. Reload as soon as one is
    // saved and steps remain: waiting for the checkpoint to catch up with the latest evaluation can take until
    // the end of the run when every write outlasts an epoch (a slow disk), and then nothing is interrupted.
    await page.waitForFunction(
      () => {
        const status = document.querySelector('[data-testid="checkpoint-status"]');
        const saved = /Last checkpoint: step (\d+)/.exec(status?.textContent ?? '');
        const total = Number(
          (document.querySelector('[data-testid="progress-step"]')?.textContent ?? '').split('/')[1],
        );
        return (
          status?.getAttribute('data-checkpoint-state') === 'saved' &&
          saved !== null &&
          Number(saved[1]) > 0 &&
          Number(saved[1]) < total
        );
      },
      undefined,
      { timeout: 90_000 },
    );
    const cachedBefore = await tokenizedEntries(page);
    expect(cachedBefore).toHaveLength(1);
    await page.reload(); // the worker dies mid-run, as with a closed tab

    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    await page.getByTestId('run-row').first().waitFor();
    const statuses = () =>
      page.getByTestId('run-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-status')));
    // The list first shows the stored records; the run the reload cut off is marked interrupted right after
    // (the page finds no worker training it), so wait for that rather than read the first paint.
    await expect
      .poll(statuses, { timeout: 15_000 })
      .toEqual(['interrupted', 'finished', 'finished', 'stopped', 'failed', 'finished']);
    // The run that was open reopens after the reload, and says what happened to it.
    expect(await runStatus(page)).toBe('interrupted');
    await shot(page, '7-reloaded');
    // The model is not loaded in this page: the resume loads it again (from the browser's cache).
    await page.getByRole('button', { name: /^Resume / }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 120_000, interval: 500 }).toBe('finished');
    // The resumed run read its ids from the tokenisation cache: the entry was not written again.
    expect(await tokenizedEntries(page)).toEqual(cachedBefore);
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '') as Record<
      string,
      number
    >;
    expect(latest.epoch).toBeCloseTo(4, 5);
    const [done, total] = ((await page.getByTestId('progress-step').textContent()) ?? '')
      .split('/')
      .map((s) => Number(s.trim()));
    expect(done).toBe(total);
    expect(latest.step).toBe(total);
    // Both evaluations are on the chart: the one from before the reload and the one after.
    expect(await page.evaluate(() => document.querySelectorAll('.live-chart').length)).toBe(4);
    expect(await statuses()).toEqual(['finished', 'finished', 'finished', 'stopped', 'failed', 'finished']);
    await shot(page, '8-resumed');
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('keeps the runs across a reload, with their curves', async () => {
    await page.reload();
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Train/ }).click();
    const run = page.getByTestId('run-row').first();
    await run.waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(6);
    expect(await run.getAttribute('data-run-status')).toBe('finished');
    // The run open before the reload is open again.
    await expect.poll(() => runStatus(page)).toBe('finished');
    await run.getByRole('button').first().click();
    await expect.poll(() => runStatus(page)).toBe('finished');
    const latest = JSON.parse((await page.getByTestId('metrics-latest').textContent()) ?? '{}') as Record<
      string,
      number
    >;
    expect(latest.epoch).toBeCloseTo(4, 5);
    await shot(page, '9-reloaded');
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });
});
