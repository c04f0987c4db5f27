// Generative fine-tuning in the app, as a person does it: the Data step says which of the three forms a dropped
// file is (plain text, instruction, chat) and shows its cleaning report and split; choosing a decoder in the
// Model step makes the Train step a causal-LM run (task, causal-LM defaults, block_size / packing /
// completion_only_loss); the worker trains it (pause and resume from the stored checkpoint), Watch charts
// perplexity, and the run ends with its final evaluation; chat data on that model (it has no chat template)
// gets ChatML's tokens, eos and resized embeddings, which the download keeps. Data rows are made here with known
// dirt (duplicates, empty texts, malformed conversations, over-long rows), so every count the page shows is known
// in advance. Several TXT files, guessed to be classes, read one document per file once the person picks a text
// generator.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runPythonStack } from '../support/python';
import { repoRoot, sharedPath } from '../support/shared';
import { launchChromium, openPage, type WatchedPage } from './browser';
import { downloadTrainingProject } from './harness/training-project';
import { setTrainFields, trainField } from './harness/train-form';

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

/** "Download model" (on the Export step): the zip's entries, also written without its top folder to a new folder. */
async function downloadModel(
  page: Page,
  prefix: string,
): Promise<{ entries: Record<string, Uint8Array>; dir: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByRole('button', { name: 'Download model' }).click(),
  ]);
  const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, bytes] of Object.entries(entries)) {
    const path = join(dir, ...name.split('/').slice(1));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return { entries, dir };
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
  let tokensLost = 0;
  let finalEval: Record<string, number> = {};
  /** The validation rows' prompts, as the Evaluate step's generation table lists them. */
  let validationPrompts: string[] = [];
  /** The downloaded model's weights before the reload, and the base model's eval loss on the validation rows. */
  let downloadedWeights: Uint8Array | undefined;
  let baseEvalLoss = 0;
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

  it('reads several TXT files one document per file for a text generator, the choice kept over a reload', async () => {
    // The same two lines, the second file with a blank line between them: per line they are duplicates, per
    // file two different documents (a blank line is part of a document's text, never a row).
    await page.getByLabel('Dataset files', { exact: true }).setInputFiles([
      {
        name: 'birds.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('The birds sing.\nThe wind blows.\n'),
      },
      {
        name: 'wind.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('The birds sing.\n\nThe wind blows.\n'),
      },
    ]);
    const detail = page.locator('[aria-label="Dataset birds.txt + wind.txt"]');
    // Several TXT files are still guessed to be classes, labelled by file name.
    await detail.getByTestId('cleaning-summary').waitFor({ timeout: 30_000 });
    expect(await detail.getByRole('radio', { name: /A classifier/ }).isChecked()).toBe(true);
    expect(await detail.getByTestId('txt-documents').count()).toBe(0);

    await detail.getByRole('radio', { name: /A text generator/ }).check();
    const documents = detail.getByTestId('txt-documents');
    expect(
      await documents.getByRole('radio', { name: 'One document per file', exact: false }).isChecked(),
    ).toBe(true);
    await expect.poll(() => detail.getByTestId('generative-split').innerText()).toContain('2 rows read');
    expect(await issueCounts(page)).toEqual({ 'empty-texts': 0, duplicates: 0 });
    expect(await split(page)).toEqual([2, 0]);

    await documents.getByRole('radio', { name: 'One document per line' }).check();
    await expect.poll(() => detail.getByTestId('generative-split').innerText()).toContain('4 rows read');
    expect(await issueCounts(page)).toEqual({ 'empty-texts': 0, duplicates: 2 });

    // The choice is part of the Data step's config: a reload brings it back with its report.
    await documents.locator('input[value="file"]').check();
    await expect.poll(() => detail.getByTestId('generative-split').innerText()).toContain('2 rows read');
    await page.reload();
    await detail.getByTestId('generative-split').waitFor({ timeout: 30_000 });
    expect(await detail.getByTestId('txt-documents').locator('input[value="file"]').isChecked()).toBe(true);
    expect(await split(page)).toEqual([2, 0]);
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
    // on the completion only; assistant_only_loss is for chat and not shown. The fields are the argument
    // table's, as every other one (label · name, switches for booleans).
    expect(await page.getByLabel('block_size').inputValue()).toBe('256');
    expect(await page.getByLabel('packing').isChecked()).toBe(false);
    expect(await page.getByLabel('completion_only_loss').isChecked()).toBe(true);
    expect(await page.getByLabel('assistant_only_loss').count()).toBe(0);
    expect(await page.getByLabel('metric_for_best_model').inputValue()).toBe('loss');
    // A classifier's fields the causal-LM run does not use are not offered.
    expect(await page.getByLabel('max_length').count()).toBe(0);
    expect(await page.getByLabel('label_smoothing_factor').count()).toBe(0);
    // Nor the mode "head": a causal LM has no new head to train alone.
    expect(await page.getByLabel('Training mode').locator('option').allTextContents()).toEqual([
      'full',
      'frozen-embeddings',
      'lora',
    ]);
    await page.getByLabel('block_size').fill('300');
    expect(await page.getByTestId('causal-lm-fields-error').innerText()).toContain('more than the model');
    expect(await page.getByRole('button', { name: 'Start training', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('block_size').fill('32');

    // Before Start, the worker tokenises the data as the run will (38 padded rows here) and times a few passes:
    // the plan counts the run's steps (5 updates of 8 per epoch, 2 epochs) and estimates its time.
    const estimate = page.getByTestId('run-estimate');
    await estimate.waitFor({ timeout: 60_000 });
    expect(Number(await estimate.getAttribute('data-seconds'))).toBeGreaterThan(0);
    expect(Number.isFinite(Number(await estimate.getAttribute('data-seconds')))).toBe(true);
    expect(await page.getByTestId('run-plan').getAttribute('data-steps')).toBe('10');
    expect(await page.getByTestId('run-plan').innerText()).toContain('38 training examples (blocks or rows)');
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
    // Instruction data: each evaluation also scores the greedy completions of the validation prompts.
    expect(Object.keys(latest)).toEqual([
      'step',
      'epoch',
      'eval_loss',
      'eval_perplexity',
      'eval_bleu',
      'eval_rougeL',
    ]);
    expect(latest.eval_perplexity).toBeCloseTo(Math.exp(latest.eval_loss!), 6);
    expect(latest.eval_bleu).toBeGreaterThanOrEqual(0);
    expect(latest.eval_rougeL).toBeLessThanOrEqual(1);
    expect(await page.getByText('Perplexity (validation)').count()).toBe(1);
    expect(await page.getByText('BLEU and ROUGE-L ×100 (validation generations)').count()).toBe(1);

    const data = page.getByTestId('causal-lm-data');
    expect(await data.getAttribute('data-kind')).toBe('instruction');
    tokensLost = Number(/lose (\d+) tokens/.exec(await data.innerText())?.[1]);
    expect(await data.innerText()).toMatch(
      /38 training and 4 validation rows of at most 32 tokens; 2 over-long rows lose \d+ tokens/,
    );
    const final = JSON.parse((await page.getByTestId('causal-lm-final-json').textContent()) ?? '') as Record<
      string,
      number
    >;
    finalEval = final;
    expect(final.step).toBe(total);
    expect(final.perplexity).toBeCloseTo(Math.exp(final.eval_loss!), 6);
    // The last evaluation scored the same weights on the same rows (eval at the last epoch's end).
    expect(Math.abs(final.eval_loss! - latest.eval_loss!)).toBeLessThan(1e-6);
    expect(final.eval_bleu).toBeGreaterThanOrEqual(0);
    expect(final.eval_rougeL).toBeGreaterThanOrEqual(0);
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('Evaluate shows the generations, the Playground compares base and fine-tuned, the download loads in transformers', async () => {
    const steps = page.getByRole('navigation', { name: 'Steps' });
    await steps.getByRole('button', { name: /Evaluate/ }).click();
    const table = page.getByTestId('generation-table');
    await table.waitFor({ timeout: 30_000 });
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          ['prompt', 'reference', 'generated'].map((c) => tr.querySelector(`td.${c}`)!.textContent),
        ),
      );
    // The 4 validation rows, each one of the rows dropped on the Data step, with the model's greedy answer.
    expect(rows).toHaveLength(4);
    for (const [prompt, reference] of rows)
      expect(INSTRUCTION).toContainEqual({ prompt, completion: reference });
    validationPrompts = rows.map((r) => r[0]!);
    expect(await page.getByTestId('causal-lm-evaluation-figures').innerText()).toContain(
      `BLEU ${finalEval.eval_bleu!.toFixed(2)}, ROUGE-L ${finalEval.eval_rougeL!.toFixed(4)}`,
    );

    // Before / after: one prompt, greedy, answered by the base model and by the fine-tuned one.
    const question = 'Repeat twice: stone light\nAnswer:';
    await page.getByLabel(/max_new_tokens/).fill('8');
    await page.getByLabel('Prompt for both models').fill(question);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator('[data-testid="compare-fine-tuned"][data-token-ids]').waitFor({ timeout: 60_000 });
    const ids = async (side: string) =>
      JSON.parse(
        (await page.getByTestId(`compare-${side}`).getAttribute('data-token-ids')) ?? '[]',
      ) as number[];
    const [baseIds, tunedIds] = [await ids('base'), await ids('fine-tuned')];
    await shot(page, '4-evaluate');

    await steps.getByRole('button', { name: /Export/ }).click();
    const { entries, dir } = await downloadModel(page, 'webtune-app-clm-');
    try {
      const names = Object.keys(entries).map((n) => n.split('/').slice(1).join('/'));
      downloadedWeights = Object.entries(entries).find(([n]) => n.endsWith('/model.safetensors'))?.[1];
      for (const file of [
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'tokenizer.json',
        'tokenizer_config.json',
        'README.md',
        'training_args.json',
        'metrics.json',
      ])
        expect(names).toContain(file);
      const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.eval_loss).toBe(finalEval.eval_loss);
      const args = JSON.parse(readFileSync(join(dir, 'training_args.json'), 'utf8'));
      expect([args.block_size, args.packing, args.completion_only_loss]).toEqual([32, false, true]);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('pipeline_tag: text-generation');

      // The real transformers on the downloaded folder: the same greedy answers, the same eval loss on the same
      // rows (TRL's prompt + completion + EOS, completion-only labels, cut at block_size 32, batch-weighted), the
      // same tokens lost by the over-long rows, and the base model's answer as the before side showed it.
      const py = runPythonStack<{
        generated: string[];
        eval_loss: number;
        base_eval_loss: number;
        lost: number;
        tuned: number[];
        base: number[];
      }>(
        `
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["out"])
model = AutoModelForCausalLM.from_pretrained(d["out"]).eval()
base = AutoModelForCausalLM.from_pretrained(d["base"]).eval()
B = d["block"]
def greedy(m, prompt, n):
    ids = tok(prompt, return_tensors="pt").input_ids
    out = m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False, pad_token_id=tok.eos_token_id)
    return out[0][ids.shape[1]:].tolist()
generated, rows = [], []
with torch.no_grad():
    for g in d["generations"]:
        n = len(tok(g["reference"], add_special_tokens=False).input_ids)
        generated.append(tok.decode(greedy(model, g["prompt"], n), skip_special_tokens=True))
        p = tok(g["prompt"]).input_ids
        ids = tok(g["prompt"] + g["reference"]).input_ids + [tok.eos_token_id]
        rows.append((ids[:B], ([-100] * len(p) + ids[len(p):])[:B]))
    total, base_total, bs = 0.0, 0.0, d["batch"]
    for s in range(0, len(rows), bs):
        chunk = rows[s:s + bs]
        L = max(len(i) for i, _ in chunk)
        ids = torch.tensor([i + [tok.eos_token_id] * (L - len(i)) for i, _ in chunk])
        mask = torch.tensor([[1] * len(i) + [0] * (L - len(i)) for i, _ in chunk])
        labels = torch.tensor([l + [-100] * (L - len(l)) for _, l in chunk])
        total += model(input_ids=ids, attention_mask=mask, labels=labels).loss.item() * len(chunk)
        base_total += base(input_ids=ids, attention_mask=mask, labels=labels).loss.item() * len(chunk)
    lost = sum(max(0, len(tok(r["prompt"] + r["completion"]).input_ids) + 1 - B) for r in d["long"])
    tuned, before = greedy(model, d["question"], 8), greedy(base, d["question"], 8)
print(json.dumps({"generated": generated, "eval_loss": total / len(rows), "base_eval_loss": base_total / len(rows), "lost": lost, "tuned": tuned, "base": before}))
`,
        {
          out: dir,
          base: sharedPath('models', 'webtune--gpt2-tiny-lm'),
          generations: metrics.generations,
          block: 32,
          batch: args.per_device_eval_batch_size,
          long: LONG,
          question,
        },
      );
      expect(py.generated).toEqual(metrics.generations.map((g: { generated: string }) => g.generated));
      expect(rows.map((r) => r[2])).toEqual(py.generated);
      expect(Math.abs(py.eval_loss - finalEval.eval_loss!)).toBeLessThanOrEqual(1e-3);
      baseEvalLoss = py.base_eval_loss;
      expect(tokensLost).toBe(py.lost);
      // transformers pads a finished sequence with the pad (eos) id; WebTune stops at EOS: compare up to it.
      const upToEos = (xs: number[], eos: number) =>
        xs.includes(eos) ? xs.slice(0, xs.indexOf(eos) + 1) : xs;
      const eos = JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8'))
        .eos_token_id as number;
      expect(tunedIds).toEqual(upToEos(py.tuned, eos));
      expect(baseIds).toEqual(upToEos(py.base, eos));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('downloads the causal-LM run as a Hugging Face Trainer project with the rows it trained on', async () => {
    // The Export step still shows the run (the previous test left the page there).
    const { names, file, rows } = await downloadTrainingProject(page);
    expect(names).toEqual([
      'README.md',
      'accelerate_config.yaml',
      'data/train.jsonl',
      'data/validation.jsonl',
      'generation_metrics.py',
      'lm_examples.py',
      'model_card.py',
      'requirements.txt',
      'train.py',
    ]);
    // The run's rows after cleaning and the split: 38 + 4 of the 42 kept, each a dropped row, none twice, and the
    // validation rows the ones Evaluate generated for.
    const train = rows<{ prompt: string; completion: string }>('data/train.jsonl');
    const validation = rows<{ prompt: string; completion: string }>('data/validation.jsonl');
    expect([train.length, validation.length]).toEqual([38, 4]);
    for (const row of [...train, ...validation]) expect(INSTRUCTION).toContainEqual(row);
    expect(new Set([...train, ...validation].map((r) => r.prompt)).size).toBe(42);
    expect(validation.map((r) => r.prompt).sort()).toEqual([...validationPrompts].sort());
    // The recipe the app ran: its model class, block size, padding (no packing) and completion-only loss.
    expect(file('train.py')).toContain('AutoModelForCausalLM.from_pretrained(');
    const examples = file('lm_examples.py');
    expect(examples).toContain('BLOCK_SIZE = 32');
    expect(examples).toContain('cut to BLOCK_SIZE.');
    expect(examples).not.toContain('def pack(');
    // completion_only_loss: the prompt's tokens are masked out of the loss.
    expect(examples).toContain('labels = [IGNORE_INDEX if t < prompt_length else token');
    await page.getByTestId('project-done').waitFor();
    await shot(page, '5-export-project');
    expect(watched.errors).toEqual([]);
  });
  it('reopens the run after a reload: the same model to download, and Continue training starts from it', async () => {
    await page.reload();
    const steps = page.getByRole('navigation', { name: 'Steps' });
    // The model loads again from the browser's cache and the run that was open opens again: its decoder is
    // rebuilt from the stored final weights, so "Download model" gives the very weights downloaded before.
    await steps.getByRole('button', { name: /Export/ }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Download model' }).click({ timeout: 90_000 }),
    ]);
    const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const weights = Object.entries(entries).find(([n]) => n.endsWith('/model.safetensors'))?.[1];
    expect(downloadedWeights).toBeDefined();
    expect(weights !== undefined && Buffer.from(weights).equals(Buffer.from(downloadedWeights!))).toBe(true);
    await steps.getByRole('button', { name: /Evaluate/ }).click();
    await expect
      .poll(() => page.getByTestId('generation-table').locator('tbody tr').count(), { timeout: 30_000 })
      .toBe(4);

    // A learning rate that cannot move the weights: the continuation ends where the run ended, far from the
    // base model's loss on the same rows, so it did start from the run's weights.
    await steps.getByRole('button', { name: /Train/ }).click();
    await setTrainFields(page, { num_train_epochs: '1', learning_rate: '1e-12' });
    expect(await trainField(page, 'block_size').inputValue()).toBe('32');
    await page.getByRole('button', { name: 'Continue training', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 500 }).toBe('finished');
    expect(await page.getByTestId('run-row').first().innerText()).toContain('(continued)');
    const continued = JSON.parse(
      (await page.getByTestId('causal-lm-final-json').textContent()) ?? '',
    ) as Record<string, number>;
    expect(Math.abs(continued.eval_loss! - finalEval.eval_loss!)).toBeLessThan(1e-4);
    expect(Math.abs(baseEvalLoss - finalEval.eval_loss!)).toBeGreaterThan(1e-3);
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });

  it('chat data on a model without a chat template: ChatML added (tokens, eos, 50304 rows), LoRA refused', async () => {
    const steps = page.getByRole('navigation', { name: 'Steps' });
    await steps.getByRole('button', { name: /Data/ }).click();
    await page.locator('[data-testid="dataset"][data-name="conversations.jsonl"] button').first().click();
    await page.getByRole('button', { name: 'Use this dataset' }).click();
    await steps.getByRole('button', { name: /Train/ }).click();
    expect(await page.getByTestId('causal-lm-fields').getAttribute('data-kind')).toBe('chat');
    // Said before Start: what the run adds to a model without a chat template.
    expect(await page.getByTestId('chatml-note').innerText()).toContain(
      'webtune/gpt2-tiny-lm has no chat template, so the run adds ChatML',
    );
    // LoRA cannot carry the new tokens' embeddings: refused before Start, with what to do instead.
    await page.getByLabel('Training mode').selectOption('lora');
    expect(await page.getByTestId('causal-lm-fields-error').innerText()).toContain(
      'LoRA cannot train or save new token embeddings',
    );
    const start = page.getByRole('button', { name: 'Start training', exact: true });
    expect(await start.isDisabled()).toBe(true);
    await page.getByLabel('Training mode').selectOption('full');
    await setTrainFields(page, { num_train_epochs: '1' });
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true);
    await start.click();
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 500 }).toBe('finished');
    expect(await page.getByTestId('causal-lm-data').innerText()).toContain(
      'the model had no chat template: ChatML was added',
    );

    await steps.getByRole('button', { name: /Export/ }).click();
    const { entries, dir } = await downloadModel(page, 'webtune-app-chatml-');
    try {
      const python = runPythonStack<{
        missing: string[];
        rows: number;
        vocab: number;
        eos: [string, number, number];
        ids: number[];
      }>(
        `
import json, sys
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig
d = json.load(sys.stdin)
model, info = AutoModelForCausalLM.from_pretrained(d["dir"], output_loading_info=True)
tok = AutoTokenizer.from_pretrained(d["dir"])
print(json.dumps({
    "missing": list(info["missing_keys"]), "rows": model.get_input_embeddings().weight.shape[0],
    "vocab": model.config.vocab_size,
    "eos": [tok.eos_token, tok.eos_token_id, GenerationConfig.from_pretrained(d["dir"]).eos_token_id],
    "ids": tok.apply_chat_template(d["messages"], tokenize=True, return_dict=True)["input_ids"],
}))
`,
        { dir, messages: CHAT[0]!.messages },
      );
      expect(python).toMatchObject({
        missing: [],
        rows: 50304,
        vocab: 50304,
        eos: ['<|im_end|>', 50258, 50258],
      });
      // <|im_start|> and <|im_end|> are one token each, twice (a user turn and an assistant turn).
      expect(python.ids.filter((id) => id === 50257 || id === 50258)).toEqual([50257, 50258, 50257, 50258]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // After a reload the run's decoder is rebuilt from the base with ChatML added again and the stored weights
    // (50304 rows): the very same download.
    await page.reload();
    await steps.getByRole('button', { name: /Export/ }).click();
    const [again] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Download model' }).click({ timeout: 90_000 }),
    ]);
    const reopened = unzipSync(new Uint8Array(readFileSync(await again.path())));
    for (const file of ['model.safetensors', 'tokenizer.json', 'config.json']) {
      const pick = (zip: Record<string, Uint8Array>) =>
        Object.entries(zip).find(([n]) => n.endsWith(`/${file}`))?.[1];
      expect(Buffer.from(pick(reopened)!).equals(Buffer.from(pick(entries)!)), file).toBe(true);
    }
    expect(watched.errors).toEqual([]);
    expect(watched.offMachine).toEqual([]);
  });
});
