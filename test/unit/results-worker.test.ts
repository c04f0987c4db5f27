// The worker's results requests in Node, on the cpu backend: the fixture classifier's own head used as loaded,
// probabilities checked against the PyTorch reference logits, bulk predictions, evaluation on a labelled file,
// and the export zip, whose weights must be the checkpoint's own bytes.
import { WORDPIECE_FOLDER_FILES } from '../support/export-layout';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { loadModel, type LoadedModel } from '../../src/worker/model-session';
import type { ResultsEvent, ResultsReply, ResultsRequest } from '../../src/worker/protocol';
import type { ResultsRequestBody } from '../../src/worker/results-client';
import { handleResultsRequest } from '../../src/worker/results-handler';
import { predictProbabilities } from '../../src/worker/results-predict';
import { resultsModel, setResultsModel } from '../../src/worker/results-state';
import { sharedModelDir } from '../support/shared';

const ID = 'webtune/tiny-random-bert-cls';
const dir = sharedModelDir(ID);
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
  texts: (string | [string, string])[];
  logits: number[][];
};
const softmax = (row: number[]) => {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
};
const singles = reference.texts.flatMap((t, i) => (typeof t === 'string' ? [{ text: t, i }] : []));

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
  // As an <input webkitdirectory> hands them over: paths inside the picked folder.
  const files = readdirSync(dir).map((name) => {
    const file = new File([readFileSync(join(dir, name))], name);
    Object.defineProperty(file, 'webkitRelativePath', { value: `webtune--tiny-random-bert-cls/${name}` });
    return file;
  });
  loaded = await loadModel({ kind: 'files', files }, () => {});
});

describe('results requests in the worker', () => {
  it('answers with a clear error before any model is registered', async () => {
    await expect(ask({ type: 'results-predict', texts: ['hi'] }, 'probabilities')).rejects.toThrow(
      /No model to use yet/,
    );
    expect((await ask({ type: 'results-info' }, 'info')).info).toBeNull();
  });

  it("uses the checkpoint's own head and gives the reference model's probabilities", async () => {
    const { info } = await ask({ type: 'results-use-loaded' }, 'info');
    expect(info).toMatchObject({
      labels: ['negative', 'neutral', 'positive'],
      origin: 'as-loaded',
      pairs: false,
    });
    const reply = await ask({ type: 'results-predict', texts: singles.map((s) => s.text) }, 'probabilities');
    expect(reply.labels).toEqual(['negative', 'neutral', 'positive']);
    singles.forEach(({ i }, r) => {
      const expected = softmax(reference.logits[i] as number[]);
      const got = reply.probabilities[r] as number[];
      expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      got.forEach((p, c) => expect(Math.abs(p - (expected[c] as number))).toBeLessThan(1e-5));
    });
  });

  it('predicts a pair as the reference does', async () => {
    const i = reference.texts.findIndex((t) => Array.isArray(t));
    const [a, b] = reference.texts[i] as [string, string];
    const [got] = await predictProbabilities(resultsModel()!, [a], [b]);
    const expected = softmax(reference.logits[i] as number[]);
    got!.forEach((p, c) => expect(Math.abs(p - (expected[c] as number))).toBeLessThan(1e-5));
  });

  it('predicts a whole file into a CSV with one row per input', async () => {
    const quoted = singles.map((s) => `"${s.text.replace(/"/g, '""')}"`);
    const file = new File([`id,text\n${quoted.map((q, k) => `${k},${q}`).join('\n')}\n`], 'reviews.csv');
    const reply = await ask({ type: 'results-predict-file', file }, 'file');
    expect(reply.fileName).toBe('reviews-predictions.csv');
    expect(reply.rows).toBe(singles.length);
    const rows = Papa.parse<string[]>(new TextDecoder().decode(reply.csv), { skipEmptyLines: true }).data;
    expect(rows[0]).toEqual([
      'text',
      'predicted_label',
      'probability',
      'prob_negative',
      'prob_neutral',
      'prob_positive',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(singles.map((s) => s.text));
    rows.slice(1).forEach((r, k) => {
      const expected = softmax(reference.logits[singles[k]!.i] as number[]);
      r.slice(3).forEach((p, c) => expect(Math.abs(Number(p) - (expected[c] as number))).toBeLessThan(1e-5));
    });
  });

  it('evaluates on a labelled file: the confusion matrix follows the reference argmax', async () => {
    const truths = ['positive', 'negative', 'neutral', 'positive'];
    const body = singles.map((s, k) => `"${s.text}",${truths[k]}`).join('\n');
    const file = new File([`text,label\n${body}\n`], 'check.csv');
    const { details } = await ask({ type: 'results-evaluate', file }, 'evaluation');
    const predicted = singles.map((s) => {
      const row = reference.logits[s.i] as number[];
      return row.indexOf(Math.max(...row));
    });
    const expected = [0, 1, 2].map((t) =>
      [0, 1, 2].map((p) => truths.filter((l, k) => l === details.labels[t] && predicted[k] === p).length),
    );
    expect(details.source).toBe('check.csv');
    expect(details.confusion).toEqual(expected);
    expect(details.misclassified).toHaveLength(
      truths.filter((l, k) => details.labels.indexOf(l) !== predicted[k]).length,
    );
    const bad = new File(['text,label\nhello,angry\n'], 'bad.csv');
    await expect(ask({ type: 'results-evaluate', file: bad }, 'evaluation')).rejects.toThrow(
      /bad\.csv, data row 1: the label "angry" is not one of the model's labels/,
    );
    await expect(ask({ type: 'results-evaluate' }, 'evaluation')).rejects.toThrow(/No validation set/);
  });

  it("exports a zip of the Hugging Face folder holding the checkpoint's own weights", async () => {
    const reply = await ask({ type: 'results-export' }, 'zip');
    expect(reply.fileName).toBe('webtune--tiny-random-bert-cls-webtune.zip');
    const entries = unzipSync(reply.zip);
    const folder = 'webtune--tiny-random-bert-cls/';
    expect(Object.keys(entries).sort()).toEqual(WORDPIECE_FOLDER_FILES.map((f) => folder + f));
    const config = JSON.parse(new TextDecoder().decode(entries[`${folder}config.json`])) as Record<
      string,
      unknown
    >;
    expect(config.id2label).toEqual({ 0: 'negative', 1: 'neutral', 2: 'positive' });
    const original = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    const exported = readSafetensors(entries[`${folder}model.safetensors`]!);
    for (const [name, tensor] of original) {
      expect(exported.get(name)?.shape, name).toEqual(tensor.shape);
      expect(
        Buffer.from(
          exported.get(name)!.data.buffer,
          exported.get(name)!.data.byteOffset,
          exported.get(name)!.data.byteLength,
        ).equals(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)),
        name,
      ).toBe(true);
    }
    const card = new TextDecoder().decode(entries[`${folder}README.md`]);
    expect(card).toContain('check.csv');
  });

  it('evaluates on the validation set the training session registers with its classifier', async () => {
    const before = (await ask({ type: 'results-info' }, 'info')).info!;
    const validation = singles.map((s, k) => ({ text: s.text, label: k % 3 }));
    setResultsModel({ ...resultsModel()!, validation, origin: 'trained' });
    const { info } = await ask({ type: 'results-info' }, 'info');
    expect(info).toMatchObject({
      origin: 'trained',
      hasValidation: true,
      registration: before.registration + 1,
    });
    const { details } = await ask({ type: 'results-evaluate' }, 'evaluation');
    expect(details.source).toBe('the validation split');
    expect(details.examples).toBe(singles.length);
    expect(details.perClass.map((c) => c.support)).toEqual(
      [0, 1, 2].map((c) => validation.filter((e) => e.label === c).length),
    );
    // A new registration forgets the previous model's evaluation, which described other weights.
    setResultsModel({ ...resultsModel()! });
    await expect(ask({ type: 'results-export' }, 'zip')).rejects.toThrow(/run Evaluate first/);
  });
});
