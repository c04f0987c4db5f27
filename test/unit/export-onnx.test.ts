// The exported ONNX files in their real consumers: onnx.checker (full check) and ONNX Runtime, from the Python
// stack. float32: the logits of every fixture classifier within 1e-4 of WebTune's own predictLogits, on the
// reference inputs (padded rows included) and on tokenised MRPC pairs; 8-bit: checked, and run by ORT.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { classifierWeights } from '../../src/core/export/classifier-weights';
import { classifierOnnxFiles, ONNX_MODEL, ONNX_MODEL_QUANTIZED } from '../../src/core/export/onnx/classifier';
import { buildClassifier } from '../../src/core/models/build';
import type { Architecture, SequenceClassifier } from '../../src/core/models/types';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import type { TokenizedInputs } from '../../src/core/train/batching';
import { predictLogits } from '../../src/core/train/predict';
import { writeExportFolder } from '../../src/cli/write-folder';
import { runOnnxFiles } from '../support/onnx-runtime';
import { sharedModelDir, sharedPath } from '../support/shared';
import { loadFixture, type Reference } from './models-fixtures';

interface Case {
  id: string;
  architecture: Architecture;
  /** Labels for a fresh (seeded) head on an MLM checkpoint; the classifiers keep their own three. */
  numLabels: number;
}

const CASES: Case[] = [
  { id: 'webtune/tiny-random-bert-cls', architecture: 'bert', numLabels: 3 },
  { id: 'webtune/tiny-random-distilbert-cls', architecture: 'distilbert', numLabels: 3 },
  { id: 'webtune/tiny-random-roberta-cls', architecture: 'roberta', numLabels: 3 },
  { id: 'webtune/tiny-random-roberta-bpe-cls', architecture: 'roberta', numLabels: 3 },
  { id: 'webtune/bert-tiny-mlm', architecture: 'bert', numLabels: 2 },
  { id: 'webtune/bert-random-h64-a4', architecture: 'bert', numLabels: 4 },
];

const PAIR_CASES = ['webtune/tiny-random-bert-cls', 'webtune/tiny-random-roberta-bpe-cls'];

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - b[i]![j]!)))));
}

/** Unpadded rows of padded inputs, as predictLogits takes them. */
function rowsOf(inputs: Record<string, number[][]>): TokenizedInputs[] {
  return inputs.input_ids!.map((ids, i) => {
    const length = inputs.attention_mask![i]!.reduce((a, b) => a + b, 0);
    const row: TokenizedInputs = { inputIds: ids.slice(0, length) };
    if (inputs.token_type_ids) row.tokenTypeIds = inputs.token_type_ids[i]!.slice(0, length);
    return row;
  });
}

function referenceInputs(reference: Reference): Record<string, number[][]> {
  const out: Record<string, number[][]> = {
    input_ids: reference.input_ids,
    attention_mask: reference.attention_mask,
  };
  if (reference.token_type_ids) out.token_type_ids = reference.token_type_ids;
  return out;
}

function mrpcPairs(id: string, count: number): Record<string, number[][]> {
  const dir = sharedModelDir(id);
  const files: Record<string, string> = {};
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
    try {
      files[f] = readFileSync(join(dir, f), 'utf8');
    } catch {
      // Not every tokenizer has every file (the BPE one has no vocab.txt).
    }
  }
  const tokenizer = loadTokenizer(files, { maxLength: 48 });
  const rows = Papa.parse<{ sentence1: string; sentence2: string }>(
    readFileSync(sharedPath('datasets', 'mrpc', 'dev.csv'), 'utf8'),
    { header: true, skipEmptyLines: true },
  ).data.slice(0, count);
  const batch = tokenizer.encode(
    rows.map((r) => r.sentence1),
    rows.map((r) => r.sentence2),
  );
  const out: Record<string, number[][]> = {
    input_ids: batch.input_ids,
    attention_mask: batch.attention_mask,
  };
  // RoBERTa's tokenizer makes no token types; a pair is told apart by its separators alone.
  out.token_type_ids = batch.token_type_ids ?? batch.input_ids.map((r) => r.map(() => 0));
  return out;
}

describe('ONNX export in ONNX Runtime', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
    root = await mkdtemp(join(tmpdir(), 'webtune-onnx-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function exportCase(c: Case, dirName: string): Promise<{ model: SequenceClassifier; dir: string }> {
    const fixture = loadFixture(c.id);
    const model = buildClassifier(fixture.config, fixture.weights, {
      numLabels: c.numLabels,
      seed: 7,
      modelName: c.id,
    });
    const files = classifierOnnxFiles({
      architecture: c.architecture,
      config: fixture.config,
      weights: await classifierWeights(model.variables),
      numLabels: c.numLabels,
    });
    const dir = join(root, dirName);
    await writeExportFolder(dir, new Map(), files);
    return { model, dir };
  }

  it.each(CASES)(
    '$id: float32 logits within 1e-4 of predictLogits, both files pass onnx.checker',
    async (c) => {
      const { model, dir } = await exportCase(c, c.id.replace('/', '--'));
      try {
        const inputs = referenceInputs(loadFixture(c.id).reference);
        const ours = await predictLogits(model, rowsOf(inputs), 4);
        const [fp32, int8] = runOnnxFiles([join(dir, ONNX_MODEL), join(dir, ONNX_MODEL_QUANTIZED)], inputs);
        const expectedInputs =
          c.architecture === 'bert'
            ? ['input_ids', 'attention_mask', 'token_type_ids']
            : ['input_ids', 'attention_mask'];
        for (const run of [fp32!, int8!]) {
          expect(run.checked).toBe(true);
          expect(run.inputNames).toEqual(expectedInputs);
          expect(run.outputNames).toEqual(['logits']);
          expect(run.opset).toBeGreaterThanOrEqual(14);
          expect(run.logits[0]).toHaveLength(c.numLabels);
        }
        const fp32Diff = maxAbsDiff(fp32!.logits, ours);
        const int8Diff = maxAbsDiff(int8!.logits, ours);
        const scale = Math.max(...ours.flat().map(Math.abs));
        console.log(
          `${c.id}: float32 max |Δlogit| ${fp32Diff.toExponential(2)}, 8-bit ${int8Diff.toExponential(2)} (max |logit| ${scale.toFixed(3)})`,
        );
        expect(fp32Diff).toBeLessThan(1e-4);
        expect(fp32!.opTypes).not.toContain('MatMulInteger');
        expect(int8!.opTypes).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger']));
        // 8-bit weights and activations move the logits, but by a fraction of their size, not beyond it.
        expect(int8Diff).toBeLessThan(0.1 * scale + 1e-3);
      } finally {
        model.dispose();
      }
    },
  );

  it.each(PAIR_CASES)(
    '%s: MRPC pairs (token types 0 and 1) give the same logits as predictLogits',
    async (id) => {
      const c = CASES.find((x) => x.id === id)!;
      const { model, dir } = await exportCase(c, `${id.replace('/', '--')}-pairs`);
      try {
        const inputs = mrpcPairs(id, 12);
        if (c.architecture === 'bert') expect(inputs.token_type_ids!.flat()).toContain(1);
        const ours = await predictLogits(model, rowsOf(inputs), 4);
        const [fp32] = runOnnxFiles([join(dir, ONNX_MODEL)], inputs);
        const diff = maxAbsDiff(fp32!.logits, ours);
        console.log(`${id} pairs: float32 max |Δlogit| ${diff.toExponential(2)}`);
        expect(diff).toBeLessThan(1e-4);
      } finally {
        model.dispose();
      }
    },
  );
});
