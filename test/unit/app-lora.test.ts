// LoRA in the app, below the page: the Train form's LoRA fields, the worker's budget of each mode (checked
// against adapters really attached to the classifier), the default mode by model size, and the export kinds
// of a LoRA classifier (adapter / merged / both) as the results request builds the zip. cpu backend.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { attachLora } from '../../src/core/lora/attach';
import { countParameters } from '../../src/core/lora/budget';
import { resolveLoraConfig } from '../../src/core/lora/config';
import { buildClassifier } from '../../src/core/models/build';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import {
  defaultLearningRate,
  defaultSettings,
  followModeDefaults,
  settingsFromRun,
  toLoraFields,
  toTrainingArguments,
} from '../../src/ui/train/defaults';
import { parseSettings, settingsText } from '../../src/ui/train/HyperParameters';
import { runSummary } from '../../src/ui/run-history/stored-runs';
import { loadModel, type LoadedModel } from '../../src/worker/model-session';
import type { ResultsEvent, ResultsReply, ResultsRequest } from '../../src/worker/protocol';
import type { ResultsRequestBody } from '../../src/worker/results-client';
import { handleResultsRequest } from '../../src/worker/results-handler';
import { resultsModel, setResultsModel } from '../../src/worker/results-state';
import {
  continuationRefusal,
  continuationWeights,
  rebuildRunClassifier,
  storedVariables,
} from '../../src/worker/run-model';
import { mergedWeights } from '../../src/core/lora/merge';
import { snapshotWeights } from '../../src/core/train/weights';
import type { RunRecord } from '../../src/core/storage/run-types';
import {
  budgetOfCounts,
  defaultModeFor,
  FULL_FINE_TUNING_LIMIT_BYTES,
} from '../../src/worker/training-budget';
import { sharedModelDir } from '../support/shared';

const ID = 'webtune/tiny-random-bert-cls';
const dir = sharedModelDir(ID);
let loaded: LoadedModel;
let nextId = 1;

async function ask<K extends ResultsReply['kind']>(request: ResultsRequestBody, kind: K) {
  let event: ResultsEvent | undefined;
  const id = nextId++;
  await handleResultsRequest({ ...request, id } as ResultsRequest, loaded, (e) => (event = e));
  if (!event || event.id !== id) throw new Error('no answer with the request id');
  if (event.type === 'results-error') throw new Error(event.message);
  expect(event.reply.kind).toBe(kind);
  return event.reply as Extract<ResultsReply, { kind: K }>;
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  const files = readdirSync(dir).map((name) => {
    const file = new File([readFileSync(join(dir, name))], name);
    Object.defineProperty(file, 'webkitRelativePath', { value: `webtune--tiny-random-bert-cls/${name}` });
    return file;
  });
  loaded = await loadModel({ kind: 'files', files }, () => {});
});

describe('the Train form with LoRA', () => {
  it("parses PEFT's fields into LoraConfig fields and keeps them out of the trainer's arguments", () => {
    const text = settingsText(
      defaultSettings(4e6, { defaultMode: 'full', defaultTargetModules: ['query', 'value'] }),
    );
    expect([text.r, text.lora_alpha, text.lora_dropout, text.target_modules, text.use_rslora]).toEqual([
      '8',
      '8',
      '0',
      'query,value',
      'false',
    ]);
    const parsed = parseSettings({
      ...text,
      mode: 'lora',
      r: '4',
      lora_alpha: '16',
      target_modules: 'query, key ,value',
      modules_to_save: 'pooler',
      use_rslora: 'true',
    });
    expect(parsed.error).toBeUndefined();
    const settings = parsed.settings!;
    expect(toLoraFields(settings)).toEqual({
      r: 4,
      lora_alpha: 16,
      lora_dropout: 0,
      target_modules: ['query', 'key', 'value'],
      modules_to_save: ['pooler'],
      use_rslora: true,
    });
    const args = resolveTrainingArguments(toTrainingArguments(settings));
    expect(args.mode).toBe('lora');
    for (const k of ['r', 'lora_alpha', 'target_modules', 'modules_to_save', 'use_rslora'])
      expect(k in args).toBe(false);
    expect(toLoraFields({ ...settings, target_modules: 'all-linear' }).target_modules).toBe('all-linear');
    // Empty: the architecture's default (the worker's resolveLoraConfig fills it in).
    expect('target_modules' in toLoraFields({ ...settings, target_modules: ' ' })).toBe(false);
    expect(parseSettings({ ...text, target_modules: 'query;value' }).error).toMatch(/module names/);
    expect(parseSettings({ ...text, r: '0' }).error).toMatch(/r must be at least 1/);
    expect(parseSettings({ ...text, lora_dropout: '1' }).error).toMatch(
      /lora_dropout must be ≥ 0 and < 1, got 1/,
    );
  });

  it('makes LoRA the default, with a higher learning rate, for a model too big for full fine-tuning', () => {
    expect(FULL_FINE_TUNING_LIMIT_BYTES).toBe(2 ** 30);
    expect(defaultModeFor(4_385_920)).toBe('full'); // bert-tiny
    expect(defaultModeFor(66_955_010)).toBe('full'); // DistilBERT: 1.07 GB, just under 1 GiB
    expect(defaultModeFor(109_483_778)).toBe('lora'); // BERT-base: 1.75 GB
    expect(defaultModeFor(494_032_768)).toBe('lora'); // Qwen2.5-0.5B-sized
    const big = defaultSettings(110e6, { defaultMode: 'lora', defaultTargetModules: ['query', 'value'] });
    expect(big.mode).toBe('lora');
    expect(big.learning_rate).toBeGreaterThanOrEqual(1e-4);
    expect(defaultSettings(110e6).mode).toBe('full');
  });

  it('gives LoRA a larger learning rate, which follows the mode until the person edits it', () => {
    // Full fine-tuning's rates by size; LoRA's as PEFT's and the LoRA paper's recipes (5e-4 for base size).
    expect([4e6, 22e6, 110e6].map((n) => defaultLearningRate(n, 'full'))).toEqual([3e-4, 1e-4, 3e-5]);
    expect([4e6, 22e6, 110e6].map((n) => defaultLearningRate(n, 'lora'))).toEqual([1e-3, 1e-3, 5e-4]);
    expect(defaultLearningRate(110e6, 'head')).toBe(3e-5);
    const full = settingsText(defaultSettings(110e6));
    expect(full.learning_rate).toBe('0.00003');
    const lora = followModeDefaults(full, { ...full, mode: 'lora' }, 110e6);
    expect(lora).toMatchObject({ mode: 'lora', learning_rate: '0.0005' });
    expect(followModeDefaults(lora, { ...lora, mode: 'full' }, 110e6).learning_rate).toBe('0.00003');
    // An edited rate stays as the person set it, and other fields do not touch it.
    const edited = { ...full, learning_rate: '0.0001' };
    expect(followModeDefaults(edited, { ...edited, mode: 'lora' }, 110e6).learning_rate).toBe('0.0001');
    expect(followModeDefaults(full, { ...full, r: '4' }, 110e6)).toEqual({ ...full, r: '4' });
  });

  it("puts a stored LoRA run's fields back in the form", () => {
    const base = defaultSettings(4e6, { defaultMode: 'full', defaultTargetModules: ['query', 'value'] });
    const fields = {
      r: 4,
      lora_alpha: 16,
      lora_dropout: 0.05,
      target_modules: ['query', 'key'],
      modules_to_save: ['pooler'],
      use_rslora: true,
    };
    const settings = settingsFromRun(
      resolveTrainingArguments({ mode: 'lora', learning_rate: 1e-3 }),
      64,
      base,
      fields,
    );
    expect(settings).toMatchObject({ mode: 'lora', learning_rate: 1e-3, target_modules: 'query,key' });
    expect(toLoraFields(settings)).toEqual(fields);
    expect(
      settingsFromRun(resolveTrainingArguments({ mode: 'lora' }), 64, base, {
        target_modules: 'all-linear',
      }).target_modules,
    ).toBe('all-linear');
  });

  it('says why the other modes are not advised for a BERT-base-sized model', () => {
    const total = 109_483_778;
    const budget = budgetOfCounts(
      {
        full: { total, trainable: total },
        head: { total, trainable: 1_538 },
        'frozen-embeddings': { total, trainable: 85_648_130 },
        lora: { total: total + 294_912, trainable: 296_450 },
      },
      2,
      ['query', 'value'],
    );
    expect(budget.defaultMode).toBe('lora');
    expect(budget.modes.lora.notAdvised).toBeUndefined();
    expect(budget.modes.lora.share).toBe('296k of 110M, 0.3 %');
    expect(budget.modes.full.notAdvised).toMatch(/every weight holds about 1\.8 GB/);
    expect(budget.modes['frozen-embeddings'].notAdvised).toMatch(
      /all but the embeddings holds about 1\.5 GB/,
    );
    expect(budget.modes.head.notAdvised).toMatch(/weaker than LoRA/);
    expect(budget.modes.lora.memoryBytes).toBeLessThan(budget.modes.full.memoryBytes / 3);
  });
});

describe('the runs list', () => {
  it("shows a LoRA run's adapter settings under PEFT's names", () => {
    const summary = runSummary({
      id: 'r1',
      name: 'lora run',
      createdAt: 0,
      status: 'finished',
      modelName: 'webtune/bert-tiny-mlm',
      datasetName: 'sst2.csv',
      args: { mode: 'lora', learning_rate: 1e-3 },
      lora: { r: 4, lora_alpha: 16, target_modules: ['query', 'value'] },
    });
    expect(summary.settings).toMatchObject({
      mode: 'lora',
      r: 4,
      lora_alpha: 16,
      target_modules: 'query,value',
    });
  });
});

describe("the worker's budget of each mode", () => {
  it('counts what attachLora really trains, and the memory of each mode', async () => {
    const { budget } = await ask(
      { type: 'results-budget', numLabels: 3, lora: { r: 4, lora_alpha: 8 } },
      'budget',
    );
    const model = buildClassifier(loaded.config, loaded.pretrained.weights, { numLabels: 3, seed: 0 });
    try {
      const full = countParameters(model);
      expect(budget.modes.full).toMatchObject({ trainable: full.total, total: full.total });
      const size = (names: string[]) =>
        names.reduce((a, n) => a + model.variables.get(n)!.shape.reduce((x, y) => x * y, 1), 0);
      expect(budget.modes.head.trainable).toBe(size(model.headVariableNames));
      expect(budget.modes['frozen-embeddings'].trainable).toBe(
        full.total - size(model.embeddingVariableNames),
      );
      attachLora(model, resolveLoraConfig(model.architecture, 'SEQ_CLS', { r: 4, lora_alpha: 8 }), {
        seed: 1,
      });
      const lora = countParameters(model);
      expect(budget.modes.lora).toMatchObject({ trainable: lora.trainable, total: lora.total });
      expect(lora.trainable).toBeLessThan(full.total / 2);
      expect(budget.modes.lora.share).toMatch(/^[\d.]+k? of [\d.]+[kM]?, [\d.]+ %$/);
      // Four float32 copies of the model for full fine-tuning; LoRA: the model once plus four of what trains.
      expect(budget.modes.full.memoryBytes).toBe(16 * full.total);
      expect(budget.modes.lora.memoryBytes).toBe(4 * lora.total + 12 * lora.trainable);
    } finally {
      model.dispose();
    }
    expect(budget.defaultMode).toBe('full');
    expect(budget.defaultTargetModules).toEqual(['query', 'value']);
    expect(budget.modes.full.notAdvised).toBeUndefined();
  });

  it('follows the LoRA fields (all-linear trains more) and names a target that matches no layer', async () => {
    const plain = (await ask({ type: 'results-budget', numLabels: 2, lora: {} }, 'budget')).budget;
    const all = (
      await ask({ type: 'results-budget', numLabels: 2, lora: { target_modules: 'all-linear' } }, 'budget')
    ).budget;
    expect(all.modes.lora.trainable).toBeGreaterThan(plain.modes.lora.trainable);
    expect(all.modes.full.total).toBe(plain.modes.full.total);
    await expect(
      ask({ type: 'results-budget', numLabels: 2, lora: { target_modules: ['q_lin'] } }, 'budget'),
    ).rejects.toThrow(/q_lin.*match none/);
  });
});

describe('the export of a LoRA classifier', () => {
  it('zips the adapter, the merged model or both, as the CLI writes them', async () => {
    await ask({ type: 'results-use-loaded' }, 'info');
    const classifier = resultsModel()!.classifier;
    const state = attachLora(
      classifier,
      resolveLoraConfig(classifier.architecture, 'SEQ_CLS', { r: 2, lora_alpha: 4 }),
      { seed: 3 },
    );
    // A trained adapter: B away from zero, so the merged weights differ from the base's.
    for (const { adapter } of state.adapters.values())
      tf.tidy(() => adapter.b.assign(tf.randomNormal(adapter.b.shape, 0, 0.5, 'float32', 7)));
    setResultsModel({
      ...resultsModel()!,
      validation: [
        { text: 'good', label: 2 },
        { text: 'bad', label: 0 },
        { text: 'fine', label: 1 },
      ],
      origin: 'trained',
    });
    const { info } = await ask({ type: 'results-info' }, 'info');
    expect(info?.lora).toEqual({ r: 2, lora_alpha: 4, target_modules: ['query', 'value'] });
    await ask({ type: 'results-evaluate' }, 'evaluation');

    const listings: { name: string; purpose: string }[] = [];
    const unzip = async (kind?: 'adapter' | 'merged' | 'both') => {
      const reply = await ask(
        kind ? { type: 'results-export', loraExport: kind } : { type: 'results-export' },
        'zip',
      );
      listings.push(...reply.files);
      const entries = unzipSync(reply.zip);
      const folder = Object.keys(entries)[0]!.split('/')[0]!;
      return new Map(Object.entries(entries).map(([n, b]) => [n.slice(folder.length + 1), b]));
    };
    const adapter = await unzip('adapter');
    const config = JSON.parse(new TextDecoder().decode(adapter.get('adapter_config.json'))) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'SEQ_CLS',
      r: 2,
      lora_alpha: 4,
      target_modules: ['query', 'value'],
    });
    expect(adapter.has('model.safetensors')).toBe(false);
    expect(adapter.has('tokenizer_config.json') || adapter.has('tokenizer.json')).toBe(true);
    const tensors = readSafetensors(adapter.get('adapter_model.safetensors')!.slice());
    const names = [...tensors.keys()];
    expect(names).toContain('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight');
    expect(names).toContain('base_model.model.classifier.weight');
    expect(names.every((n) => n.startsWith('base_model.model.'))).toBe(true);

    const both = await unzip();
    expect(both.has('model.safetensors')).toBe(true);
    expect(both.has('adapter/adapter_config.json')).toBe(true);
    expect(both.has('adapter/adapter_model.safetensors')).toBe(true);
    const merged = await unzip('merged');
    expect([...merged.keys()].some((n) => n.startsWith('adapter') || n.includes('adapter_'))).toBe(false);
    // The merged query weight is W + scale·B·A, not the base's W.
    const mergedQuery = readSafetensors(merged.get('model.safetensors')!.slice()).get(
      'bert.encoder.layer.0.attention.self.query.weight',
    )!;
    const baseQuery = loaded.pretrained.weights.get('bert.encoder.layer.0.attention.self.query.weight')!;
    const diff = mergedQuery.data.reduce((m, x, i) => Math.max(m, Math.abs(x - baseQuery.data[i]!)), 0);
    expect(diff).toBeGreaterThan(1e-3);
    // The Export step's table says what the adapter's files are for, in both layouts.
    const purpose = (name: string) => listings.find((f) => f.name === name)?.purpose;
    expect(purpose('adapter_model.safetensors')).toMatch(/LoRA adapter/);
    expect(purpose('adapter/adapter_config.json')).toMatch(/LoraConfig/);
    expect(purpose('adapter/tokenizer_config.json')).toMatch(/^tokenizer settings.*adapter folder/);
  });
});

describe("a stored LoRA run's model", () => {
  const run = (mode: 'lora' | 'full', lora?: RunRecord['lora']) => ({
    name: `a ${mode} run`,
    labels: ['neg', 'pos'],
    args: resolveTrainingArguments({ mode, seed: 5 }),
    ...(lora ? { lora } : {}),
  });
  const logits = (model: ReturnType<typeof buildClassifier>) =>
    tf.tidy(() => {
      const inputIds = tf.tensor2d([[2, 40, 41, 42, 3]], [1, 5], 'int32');
      return model
        .forward({ inputIds, attentionMask: tf.onesLike(inputIds) }, { training: false })
        .arraySync() as number[][];
    });

  it('keeps only the adapters and saved modules, and rebuilds base + adapter from them', async () => {
    const trained = buildClassifier(loaded.config, loaded.pretrained.weights, { numLabels: 2, seed: 5 });
    const config = resolveLoraConfig(trained.architecture, 'SEQ_CLS', { r: 2, lora_alpha: 4 });
    const state = attachLora(trained, config, { seed: 5 });
    // As if trained: B and the head away from their initial values.
    for (const { adapter } of state.adapters.values())
      tf.tidy(() => adapter.b.assign(tf.randomNormal(adapter.b.shape, 0, 0.5, 'float32', 8)));
    const head = trained.variables.get('classifier.weight')!;
    tf.tidy(() => head.assign(tf.randomNormal(head.shape, 0, 0.5, 'float32', 9)));
    const stored = await snapshotWeights(trained, storedVariables(trained));
    const names = [...stored.keys()];
    expect(names.length).toBe(2 * state.adapters.size + 2);
    expect(names.filter((n) => /\.lora_[AB]\.weight$/.test(n)).length).toBe(2 * state.adapters.size);
    expect(names.filter((n) => !n.includes('.lora_'))).toEqual(['classifier.weight', 'classifier.bias']);
    const storedCount = [...stored.values()].reduce((a, t) => a + t.data.length, 0);
    expect(storedCount).toBe(countParameters(trained).trainable);

    // From the stored config (a final model) and from the run's fields (a checkpoint): the same logits.
    for (const stored_lora of [state.config, undefined]) {
      const rebuilt = rebuildRunClassifier(loaded, run('lora', { r: 2, lora_alpha: 4 }), stored, stored_lora);
      try {
        expect(rebuilt.lora?.config.r).toBe(2);
        expect(logits(rebuilt)).toEqual(logits(trained));
      } finally {
        rebuilt.dispose();
      }
    }
    // The bare base model with the trained head is not what the run trained.
    const bare = buildClassifier(loaded.config, loaded.pretrained.weights, { numLabels: 2, seed: 5 });
    bare.variables.get('classifier.weight')!.assign(head);
    expect(logits(bare)).not.toEqual(logits(trained));
    bare.dispose();
    // Weights that do not fit the config say so.
    expect(() => rebuildRunClassifier(loaded, run('lora', { r: 4 }), stored)).toThrow(
      /stored model of a lora run does not fit .*shape/,
    );

    // Continuing: a LoRA run carries the adapter on; any other mode starts from the merged weights.
    const earlier = { ...run('lora', { r: 2, lora_alpha: 4 }), id: 'e' } as RunRecord;
    expect(await continuationWeights(loaded, earlier, { weights: stored, lora: config }, 'lora')).toBe(
      stored,
    );
    const merged = await continuationWeights(loaded, earlier, { weights: stored, lora: config }, 'full');
    const expected = await mergedWeights(trained);
    expect([...merged.keys()]).toEqual([...trained.variables.keys()]);
    const name = 'bert.encoder.layer.0.attention.self.query.weight';
    expect(merged.get(name)!.data).toEqual(expected.get(name)!.data);
    expect(continuationRefusal(run('full'), 'lora')).toMatch(/a LoRA run continues only a LoRA run/);
    expect(continuationRefusal(run('lora'), 'full')).toBeUndefined();
    trained.dispose();
  });
});
