// The model card: its YAML front matter read by PyYAML, its tables holding the given figures, and a
// limitations section that names what the inputs say is weak.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelCard, modelCardFrontMatter } from '../../src/core/export/model-card';
import { exportedBackend } from '../../src/core/backend-info';
import { ISSUE_KINDS } from '../../src/core/data/prepare';
import { trainingArgs } from '../../src/core/export/training-files';
import type { ExportInputs } from '../../src/core/export/types';
import { toYaml, yamlNumber, type YamlValue } from '../../src/core/export/yaml';
import { sampleInputs } from '../support/export-inputs';
import { runPython } from '../support/reference';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webtune-card-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** PyYAML's reading of each document (safe_load), via JSON. */
async function pyYaml(documents: string[]): Promise<unknown[]> {
  const path = join(dir, `docs-${documents.length}-${Date.now()}.json`);
  await writeFile(path, JSON.stringify(documents));
  const script =
    'import json, sys, yaml\n' +
    'docs = json.load(open(sys.argv[1]))\n' +
    'print(json.dumps([yaml.safe_load(d) for d in docs]))\n';
  return JSON.parse(await runPython(['-c', script, path])) as unknown[];
}

function frontMatterOf(card: string): string {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(card);
  if (!match) throw new Error(`the card has no front matter:\n${card.slice(0, 200)}`);
  return match[1]!;
}

/** Splits a Markdown table row on the pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Every table in the card: runs of lines starting with `|`, checked to have one width each. */
function tables(card: string): string[][][] {
  const out: string[][][] = [];
  let current: string[][] = [];
  for (const line of card.split('\n')) {
    if (line.startsWith('|')) current.push(cells(line));
    else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  for (const table of out) {
    for (const row of table) expect(row.length, row.join(' | ')).toBe(table[0]!.length);
  }
  return out;
}

function tableWithHeader(card: string, header: string[]): string[][] {
  const table = tables(card).find((t) => t[0]!.join('\u0000') === header.join('\u0000'));
  if (!table) throw new Error(`no table with the header ${header.join(' | ')}`);
  return table;
}

const PER_CLASS = ['Label', 'Precision', 'Recall', 'F1', 'Support'];

const f4 = (x: number) => x.toFixed(4);

describe('the model card', () => {
  const inputs = sampleInputs('webtune/tiny-random-bert-cls', 'bert');
  const card = buildModelCard(inputs);

  it('has YAML front matter the Hub can read, with the final results in model-index', async () => {
    const [parsed] = (await pyYaml([frontMatterOf(card)])) as Record<string, unknown>[];
    expect(parsed).toEqual(JSON.parse(JSON.stringify(modelCardFrontMatter(inputs))));
    expect(parsed!.library_name).toBe('transformers');
    expect(parsed!.base_model).toBe('webtune/tiny-random-bert-cls');
    expect(parsed!.pipeline_tag).toBe('text-classification');
    expect(parsed!.tags).toEqual(expect.arrayContaining(['webtune', 'text-classification', 'bert']));
    expect(parsed!.metrics).toEqual(['accuracy', 'f1']);
    const [entry] = parsed!['model-index'] as {
      name: string;
      results: { dataset: { name: string }; metrics: { type: string; value: number; name: string }[] }[];
    }[];
    expect(entry!.name).toBe(inputs.modelName);
    expect(entry!.results[0]!.dataset.name).toBe(inputs.dataset.fileName);
    const values = Object.fromEntries(entry!.results[0]!.metrics.map((m) => [m.name, m.value]));
    const ev = inputs.finalEvaluation;
    expect(values).toEqual({
      Accuracy: ev.accuracy,
      'Macro F1': ev.macroF1,
      'Weighted F1': ev.weightedF1,
      Loss: ev.loss,
    });
    expect(parsed!.datasets).toBeUndefined();
  });

  it('holds the per-class figures, the label counts and the hyper-parameters as given', () => {
    const perClass = tableWithHeader(card, PER_CLASS);
    expect(perClass.slice(2)).toEqual(
      inputs.finalEvaluation.perClass.map((c) => [
        c.label,
        f4(c.precision),
        f4(c.recall),
        f4(c.f1),
        String(c.support),
      ]),
    );
    const counts = tableWithHeader(card, ['Label', 'Train', 'Validation', 'Share']);
    const total = inputs.dataset.trainRows + inputs.dataset.validationRows;
    expect(counts.slice(2)).toEqual(
      inputs.dataset.labelCounts.map((c) => [
        c.label,
        String(c.train),
        String(c.validation),
        `${(((c.train + c.validation) / total) * 100).toFixed(1)}%`,
      ]),
    );
    const hp = tableWithHeader(card, ['Name', 'Value']);
    expect(hp.slice(2)).toEqual(
      Object.entries(inputs.hyperparameters).map(([name, value]) => [
        `\`${name}\``,
        typeof value === 'string' ? `\`${value}\`` : String(value),
      ]),
    );
    const confusion = tableWithHeader(card, ['', ...inputs.labels]);
    expect(confusion.slice(2).map((row) => row.slice(1).map(Number))).toEqual(
      inputs.finalEvaluation.confusionMatrix,
    );
    expect(card).toContain(`Rows read: ${inputs.dataset.rowsRead}`);
    expect(card).toContain(`\`${inputs.dataset.fileName}\``);
    expect(card).toContain(`- Accuracy: ${f4(inputs.finalEvaluation.accuracy)}`);
  });

  it('has one row per evaluation, with the last training loss logged before it', () => {
    const history = tableWithHeader(card, [
      'Epoch',
      'Step',
      'Training loss',
      'Validation loss',
      'Accuracy',
      'Macro F1',
    ]);
    const evals = inputs.logHistory.filter((e) => e.eval_loss !== undefined);
    expect(history.slice(2)).toEqual(
      evals.map((e) => {
        const train = inputs.logHistory.filter((t) => t.loss !== undefined && t.step <= e.step).at(-1)!;
        return [
          String(e.epoch),
          String(e.step),
          f4(train.loss!),
          f4(e.eval_loss!),
          f4(e.eval_accuracy!),
          f4(e.eval_f1!),
        ];
      }),
    );
    // Timings stay out of the card.
    expect(card).not.toMatch(/runtime/i);
  });

  it('names the weakest class, the imbalance, the worst confusion and the data issues', () => {
    const limits = card.slice(card.indexOf('## Limitations'));
    const ev = inputs.finalEvaluation;
    const weakest = [...ev.perClass].sort((a, b) => a.f1 - b.f1)[0]!;
    expect(limits).toContain(`**Weakest class.** ${weakest.label} (F1 ${f4(weakest.f1)}`);
    const counts = inputs.dataset.labelCounts.map((c) => ({ label: c.label, n: c.train + c.validation }));
    const big = counts.reduce((a, c) => (c.n > a.n ? c : a));
    const small = counts.reduce((a, c) => (c.n < a.n ? c : a));
    expect(limits).toContain(`The largest class, ${big.label}, has ${big.n} rows (`);
    expect(limits).toContain(`the smallest, ${small.label}, has ${small.n} (`);
    expect(limits).toContain(`a ratio of ${(big.n / small.n).toFixed(1)}:1`);
    expect(limits).toContain('**Class imbalance.**');
    expect(limits).toContain('positive predicted as negative (14 of 60');
    for (const issue of inputs.dataset.issues) {
      expect(limits).toContain(`${issue.rows} `);
      expect(limits).toContain(`(${issue.action})`);
    }
    expect(limits).toContain('21 exact duplicate rows (dropped)');
    const n = inputs.dataset.validationRows;
    const p = ev.accuracy;
    expect(limits).toContain(`±${(1.96 * Math.sqrt((p * (1 - p)) / n) * 100).toFixed(1)} percentage points`);
    expect(limits).toContain(`cut to ${inputs.hyperparameters.max_seq_length} tokens`);
  });

  it("keeps the page's wording out of the card and training_args.json, and says where the run trained", () => {
    const base = sampleInputs('webtune/tiny-random-bert-cls', 'bert');
    const browser: ExportInputs = {
      ...base,
      run: { ...base.run, backend: 'wasm, 2 threads (as requested)' },
    };
    const fellBack: ExportInputs = {
      ...base,
      run: { ...base.run, backend: 'wasm, 4 threads: WebGPU unavailable because navigator.gpu is missing' },
    };
    const cli: ExportInputs = { ...base, run: { ...base.run, backend: 'wasm', trainedIn: 'cli' } };
    for (const inputs of [browser, fellBack]) {
      const text = buildModelCard(inputs) + JSON.stringify(trainingArgs(inputs));
      expect(text).not.toMatch(/as requested|unavailable because/);
      expect(buildModelCard(inputs)).toContain('trained in the browser with WebTune');
    }
    expect(buildModelCard(browser)).toContain('on the wasm, 2 threads backend');
    expect(trainingArgs(fellBack)).toMatchObject({ webtune: { backend: 'wasm, 4 threads' } });
    expect(buildModelCard(cli)).toContain("trained with WebTune's command line (Node.js)");
    expect(buildModelCard(cli)).not.toContain('in the browser');
    expect(exportedBackend('WebGPU: nvidia / ampere')).toBe('WebGPU: nvidia / ampere');
  });

  it("phrases every kind the cleaning report has (the report's own kinds, never printed raw)", () => {
    const base = sampleInputs('webtune/tiny-random-bert-cls', 'bert');
    const card = buildModelCard({
      ...base,
      dataset: {
        ...base.dataset,
        issues: ISSUE_KINDS.map((kind, i) => ({ kind, rows: i + 1, action: 'kept' })),
      },
    });
    const table = card.slice(card.indexOf('Found at import'), card.indexOf('## Training procedure'));
    for (const kind of ISSUE_KINDS) expect(table).not.toContain(kind);
    expect(table).toContain('| exact duplicate rows');
    expect(table).toContain('| rows with an empty text');
  });

  it('keeps tables and front matter intact whatever the labels and names hold', async () => {
    const odd = ['yes', 'a|b', '#tag: "x"', '- 1.5', 'ünï *c* 😀'];
    const base = sampleInputs('webtune/tiny-random-bert-cls', 'bert');
    const strange: ExportInputs = {
      ...base,
      modelName: 'my: model # 2',
      tags: ['on', 'null'],
      labels: odd,
      dataset: {
        ...base.dataset,
        hubId: 'someone/data-set',
        fileName: 'data|`x`.csv',
        labelCounts: odd.map((label, i) => ({ label, train: 10 * (i + 1), validation: i + 1 })),
        issues: [],
      },
      finalEvaluation: {
        ...base.finalEvaluation,
        perClass: odd.map((label, i) => ({
          label,
          precision: 0.5,
          recall: 0.25,
          f1: i / 10,
          support: i + 1,
        })),
        confusionMatrix: odd.map((_, i) => odd.map((__, j) => (i === j ? 3 : 0))),
      },
    };
    const strangeCard = buildModelCard(strange);
    const [parsed] = (await pyYaml([frontMatterOf(strangeCard)])) as Record<string, unknown>[];
    expect(parsed).toEqual(JSON.parse(JSON.stringify(modelCardFrontMatter(strange))));
    expect(parsed!.tags).toEqual(['webtune', 'text-classification', 'bert', 'on', 'null']);
    expect(parsed!.datasets).toEqual(['someone/data-set']);
    expect((parsed!['model-index'] as { name: string }[])[0]!.name).toBe('my: model # 2');
    const perClass = tableWithHeader(strangeCard, PER_CLASS);
    expect(perClass).toHaveLength(2 + odd.length);
    expect(perClass[3]![0]).toBe('a\\|b');
    expect(strangeCard).toContain('No validation row was misclassified.');
    // F1 i/10, all under the macro F1 of 0.5971: every label is named, worst first.
    const weakLine = strangeCard.split('\n').find((l) => l.includes('**Weakest classes.**'))!;
    const positions = ['yes (F1 0.0000', 'a\\|b (F1 0.1000', '- 1.5 (F1 0.3000'].map((s) =>
      weakLine.indexOf(s),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(strangeCard).toContain('The import checks reported no data issues.');
  });
});

describe('a card for a model that did not come from the Hub', () => {
  it('names it without claiming a base_model id, and says so when nothing was evaluated', async () => {
    const base = sampleInputs('webtune/tiny-random-bert-cls', 'bert');
    const inputs: ExportInputs = {
      ...base,
      baseModel: { ...base.baseModel, hubId: undefined, displayName: 'my-bert (dropped files)' },
      logHistory: base.logHistory.filter((e) => e.loss !== undefined),
      dataset: { ...base.dataset, split: { kind: 'file', validationFileName: 'dev.csv' } },
    };
    const card = buildModelCard(inputs);
    const [parsed] = (await pyYaml([frontMatterOf(card)])) as Record<string, unknown>[];
    expect(parsed!.base_model).toBeUndefined();
    expect(card).toContain('fine-tuned version of my-bert (dropped files)');
    expect(card).toContain('No evaluation was logged during training.');
    expect(card).toContain('the validation rows come from a separate file, `dev.csv`');
    expect(card).not.toContain('huggingface.co/');
  });
});

describe('toYaml', () => {
  it('writes values that PyYAML reads back unchanged', async () => {
    const doc: { [key: string]: YamlValue } = {
      plain: 'text-classification',
      reserved: ['yes', 'No', 'on', 'OFF', 'true', 'null', '~', 'y'],
      numbers: [0, -3, 0.5, 5e-5, 1e-7, 1.5e-12, 2e21, 123456789.125],
      lookalikes: ['1', '0.5', '1e-7', '.inf', '0x10', '2026-11-24', '1_000'],
      punctuation: [
        'a: b',
        '#x',
        '- x',
        'x #y',
        '[a]',
        '{b}',
        '&a',
        '*b',
        '!t',
        '%p',
        '@q',
        '`r`',
        "'s'",
        '"t"',
      ],
      spaces: [' lead', 'trail ', 'two  spaces', ''],
      control: ['tab\there', 'line\nbreak', 'nel\u0085', 'ls\u2028', 'bom\ufeff', 'del\u007f'],
      unicode: ['café', '😀', 'ÜNÏCÖDE'],
      'key: with colon': { nested: [{ a: 1, b: [true, false, null] }, [1, [2, 3]], [], {}] },
      empty: { list: [], map: {} },
    };
    const [parsed] = await pyYaml([toYaml(doc)]);
    expect(parsed).toEqual(doc);
  });

  it('writes floats with a dot and a signed exponent, as YAML 1.1 needs', () => {
    expect(yamlNumber(1e-7)).toBe('1.0e-7');
    expect(yamlNumber(2e21)).toBe('2.0e+21');
    expect(yamlNumber(Number.NaN)).toBe('.nan');
    expect(yamlNumber(-Infinity)).toBe('-.inf');
  });
});
