// The assembled folder: its files, the tokenizer passed through, training_args.json and metrics.json, the zip,
// the folder written to disk, transformers.js loading the exported tokenizer, and clear refusals of bad input.
import { WORDPIECE_EXPORT_LAYOUT } from '../support/export-layout';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExportFiles } from '../../src/core/export/bundle';
import { ExportConfigError } from '../../src/core/export/config';
import { exportListing, formatBytes, formatListing } from '../../src/core/export/listing';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { ExportTokenizerError, positionLimit } from '../../src/core/export/tokenizer-files';
import type { ExportInputs } from '../../src/core/export/types';
import { WEBTUNE_VERSION } from '../../src/core/export/version';
import { ExportWeightsError } from '../../src/core/export/weights-check';
import { checkPath, zipExport } from '../../src/core/export/zip';
import { writeExportFolder } from '../../src/cli/write-folder';
import { readFixtureModel, sampleInputs } from '../support/export-inputs';
import { repoRoot, sharedModelDir } from '../support/shared';

const BERT = 'webtune/tiny-random-bert-cls';
const ROBERTA_BPE = 'webtune/tiny-random-roberta-bpe-cls';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webtune-bundle-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Byte equality without vitest's element-by-element diff, which takes minutes on megabytes. */
function expectSameBytes(
  actual: Uint8Array | undefined,
  expected: Uint8Array | undefined,
  what: string,
): void {
  expect(actual, what).toBeInstanceOf(Uint8Array);
  expect(actual!.byteLength, what).toBe(expected!.byteLength);
  expect(Buffer.compare(Buffer.from(actual!), Buffer.from(expected!)), what).toBe(0);
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const json = (bytes: Uint8Array | undefined) => JSON.parse(text(bytes)) as Record<string, unknown>;
const fixtureBytes = (hubId: string, name: string) =>
  new Uint8Array(readFileSync(join(sharedModelDir(hubId), name)));

describe('buildExportFiles', () => {
  const inputs = sampleInputs(BERT, 'bert');
  const files = buildExportFiles(inputs);

  it('holds the model, the tokenizer, the card and the training records', () => {
    expect([...files.keys()].sort()).toEqual(WORDPIECE_EXPORT_LAYOUT);
    const weights = readSafetensors(files.get('model.safetensors')!);
    expect([...weights.keys()].sort()).toEqual([...inputs.weights.keys()].sort());
    for (const [name, { shape, data }] of inputs.weights) {
      expect(weights.get(name)!.shape, name).toEqual(shape);
      const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      expectSameBytes(bytes(weights.get(name)!.data), bytes(data), name);
    }
    const listing = exportListing(files);
    expect(listing.map((e) => e.name)).toEqual([...files.keys()]);
    expect(listing.find((e) => e.name === 'model.safetensors')!.bytes).toBe(
      files.get('model.safetensors')!.byteLength,
    );
    const total = listing.reduce((a, e) => a + e.bytes, 0);
    expect(formatListing(files).split('\n').at(-1)).toContain(`(${total} bytes)`);
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(json(files.get('config.json')).architectures).toEqual(['BertForSequenceClassification']);
  });

  it('copies the tokenizer files byte for byte, filling in an unset model_max_length', () => {
    for (const name of ['tokenizer.json', 'vocab.txt', 'special_tokens_map.json']) {
      expectSameBytes(files.get(name), fixtureBytes(BERT, name), name);
    }
    // The fixture's tokenizer_config.json says int(1e30), transformers' "no limit".
    const original = json(fixtureBytes(BERT, 'tokenizer_config.json'));
    expect(original.model_max_length).toBeGreaterThan(1e29);
    const exported = json(files.get('tokenizer_config.json'));
    expect(exported.model_max_length).toBe(inputs.baseModel.config.max_position_embeddings);
    expect({ ...exported, model_max_length: 0 }).toEqual({ ...original, model_max_length: 0 });

    const roberta = buildExportFiles(sampleInputs(ROBERTA_BPE, 'roberta'));
    for (const name of [
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.json',
      'merges.txt',
      'special_tokens_map.json',
    ]) {
      expectSameBytes(roberta.get(name), fixtureBytes(ROBERTA_BPE, name), name);
    }
    expect(roberta.has('vocab.txt')).toBe(false);
    expect(json(roberta.get('tokenizer_config.json')).model_max_length).toBe(512);
    expect(positionLimit(readFixtureModel(ROBERTA_BPE).config)).toBe(512);
  });

  it('writes training_args.json and metrics.json from the inputs', () => {
    const args = json(files.get('training_args.json'));
    for (const [name, value] of Object.entries(inputs.hyperparameters)) expect(args[name], name).toBe(value);
    expect(args.seed).toBe(inputs.hyperparameters.seed);
    expect(args.webtune).toEqual({
      version: WEBTUNE_VERSION,
      backend: inputs.run.backend,
      tfjs_version: inputs.run.tfjsVersion,
      base_model: BERT,
    });
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(WEBTUNE_VERSION).toBe(pkg.version);

    const state = json(files.get('metrics.json'));
    expect(state.log_history).toEqual(inputs.logHistory);
    expect(state.global_step).toBe(inputs.logHistory.at(-1)!.step);
    expect(state.epoch).toBe(inputs.logHistory.at(-1)!.epoch);
    expect(state.num_evaluations).toBe(2);
    const final = state.final_evaluation as Record<string, unknown>;
    expect(final.accuracy).toBe(inputs.finalEvaluation.accuracy);
    expect(final.macro_f1).toBe(inputs.finalEvaluation.macroF1);
    expect(final.per_class).toEqual(
      Object.fromEntries(inputs.finalEvaluation.perClass.map(({ label, ...rest }) => [label, rest])),
    );
    expect(final.confusion_matrix).toEqual(inputs.finalEvaluation.confusionMatrix);
  });

  it('zips under one folder, storing the weights and deflating the text, and unzips to the same bytes', () => {
    const zip = zipExport(files, { folder: 'tiny-sentiment', mtime: new Date('2026-01-02T03:04:05Z') });
    const methods = new Map<string, number>();
    const unzipped = unzipSync(zip, {
      filter: (file) => {
        methods.set(file.name, file.compression);
        return true;
      },
    });
    expect(Object.keys(unzipped).sort()).toEqual([...files.keys()].map((n) => `tiny-sentiment/${n}`).sort());
    for (const [name, bytes] of files) expectSameBytes(unzipped[`tiny-sentiment/${name}`], bytes, name);
    expect(methods.get('tiny-sentiment/model.safetensors')).toBe(0);
    expect(methods.get('tiny-sentiment/README.md')).toBe(8);
    // A fixed time gives the same zip twice.
    const fixed = new Date('2000-01-01T00:00:00Z');
    expectSameBytes(
      zipExport(files, { folder: 'x', mtime: fixed }),
      zipExport(files, { folder: 'x', mtime: fixed }),
      'two zips',
    );
    expect(() => zipExport(files, { mtime: new Date(0) })).toThrow(/1970.* zip can only record 1980 to 2099/);
  });

  it('is written to a folder that holds exactly these bytes', async () => {
    const dir = join(root, 'written', 'tiny-sentiment');
    const written = await writeExportFolder(dir, files);
    expect(written).toHaveLength(files.size);
    for (const [name, bytes] of files) {
      expectSameBytes(new Uint8Array(await readFile(join(dir, name))), bytes, name);
    }
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    await expect(writeExportFolder(blocker, files)).rejects.toThrow(/exists and is not a folder/);
    await expect(writeExportFolder(dir, new Map([['../escape.txt', new Uint8Array(1)]]))).rejects.toThrow(
      /not a safe relative file name/,
    );
  });

  it('gives a tokenizer that transformers.js loads and that encodes the reference ids', async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = join(root, 'tokenizers');
    for (const hubId of [BERT, ROBERTA_BPE]) {
      const architecture = hubId === BERT ? 'bert' : 'roberta';
      const name = hubId.replace('/', '--');
      await writeExportFolder(
        join(root, 'tokenizers', name),
        buildExportFiles(sampleInputs(hubId, architecture)),
      );
      const tokenizer = await AutoTokenizer.from_pretrained(name);
      const reference = JSON.parse(readFileSync(join(sharedModelDir(hubId), 'reference.json'), 'utf8')) as {
        texts: (string | string[])[];
        input_ids: number[][];
        attention_mask: number[][];
      };
      reference.texts.forEach((t, i) => {
        const [first, second] = Array.isArray(t) ? t : [t];
        const ids = tokenizer.encode(first!, second ?? null);
        const length = reference.attention_mask[i]!.reduce((a, b) => a + b, 0);
        expect(ids, `${hubId} text ${i}`).toEqual(reference.input_ids[i]!.slice(0, length));
      });
    }
  });
});

describe('buildExportFiles refuses', () => {
  const base = () => sampleInputs(BERT, 'bert');

  it('a base model without a tokenizer', () => {
    const inputs = base();
    inputs.baseModel = { ...inputs.baseModel, files: new Map([['config.json', new Uint8Array(2)]]) };
    expect(() => buildExportFiles(inputs)).toThrow(ExportTokenizerError);
    expect(() => buildExportFiles(inputs)).toThrow(
      /webtune\/tiny-random-bert-cls has no tokenizer to export: .*found no tokenizer files/,
    );
  });

  it('weights that do not fit the labels, the names or the config', () => {
    const withWeights = (edit: (w: ExportInputs['weights']) => void) => {
      const inputs = base();
      inputs.weights = new Map(inputs.weights);
      edit(inputs.weights);
      return () => buildExportFiles(inputs);
    };
    // Two labels, consistently so in every figure, against the fixture's three-row head.
    const fewer = base();
    fewer.labels = ['a', 'b'];
    fewer.finalEvaluation = {
      ...fewer.finalEvaluation,
      perClass: fewer.finalEvaluation.perClass.slice(0, 2).map((c, i) => ({ ...c, label: fewer.labels[i]! })),
      confusionMatrix: undefined,
    };
    fewer.dataset = { ...fewer.dataset, labelCounts: [] };
    expect(() => buildExportFiles(fewer)).toThrow(ExportWeightsError);
    expect(() => buildExportFiles(fewer)).toThrow(/classifier\.weight has 3 rows .* but there are 2 labels/);

    expect(withWeights((w) => w.delete('classifier.bias'))).toThrow(/no classifier\.bias tensor/);
    expect(
      withWeights((w) => w.set('cls.predictions.bias', { shape: [1], data: new Float32Array(1) })),
    ).toThrow(/cls\.predictions\.bias is neither under bert\. nor part of the bert classification head/);
    expect(
      withWeights((w) => {
        const t = w.get('bert.pooler.dense.bias')!;
        const data = t.data.slice();
        data[5] = Number.NaN;
        w.set('bert.pooler.dense.bias', { shape: t.shape, data });
      }),
    ).toThrow(/bert\.pooler\.dense\.bias holds NaN at index 5/);
    const smallVocab = base();
    smallVocab.baseModel = {
      ...smallVocab.baseModel,
      config: { ...smallVocab.baseModel.config, vocab_size: 100 },
    };
    expect(() => buildExportFiles(smallVocab)).toThrow(/30522 rows but config\.json says vocab_size 100/);
  });

  it('figures that describe other labels than the model’s, and a name that is not a folder name', () => {
    const reordered = base();
    reordered.finalEvaluation = {
      ...reordered.finalEvaluation,
      perClass: [...reordered.finalEvaluation.perClass].reverse(),
    };
    expect(() => buildExportFiles(reordered)).toThrow(ExportConfigError);
    expect(() => buildExportFiles(reordered)).toThrow(/lists the labels positive, neutral, negative/);
    const unknown = base();
    unknown.dataset = { ...unknown.dataset, labelCounts: [{ label: 'other', train: 1, validation: 0 }] };
    expect(() => buildExportFiles(unknown)).toThrow(/rows of label "other"/);
    const named = base();
    named.modelName = '../up';
    expect(() => buildExportFiles(named)).toThrow(/cannot name the exported folder/);
    expect(() => checkPath('a/../b')).toThrow(/not a safe relative file name/);
  });
});
