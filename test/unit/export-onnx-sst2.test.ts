// The 8-bit ONNX model against the float32 one on a model that has learnt something: bert-tiny-mlm fine-tuned
// here on 4,000 SST-2 rows (one epoch on wasm), exported by the CLI's export step, then both ONNX files run
// by ONNX Runtime (Python stack) on all 872 SST-2 dev rows. The quantised model must give the float32 model's
// label on at least 99 % of them and an accuracy within 0.5 points; float32 must give WebTune's logits.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/cli/export-run';
import { loadModel } from '../../src/cli/load-model';
import { prepareTrainingData } from '../../src/cli/prepare-data';
import { initBackend } from '../../src/core/backend';
import { ONNX_MODEL, ONNX_MODEL_QUANTIZED } from '../../src/core/export/onnx/classifier';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig } from '../../src/core/models/types';
import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import { predictLogits } from '../../src/core/train/predict';
import { tokenizeExamples } from '../../src/core/train/tokenize-examples';
import { fineTune } from '../../src/core/run/fine-tune';
import { classifierEvaluator } from '../../src/core/run/sequence-classification';
import { sequenceClassificationTask } from '../../src/core/tasks/sequence-classification';
import { runOnnxFiles } from '../support/onnx-runtime';
import { sharedModelDir, sharedPath } from '../support/shared';

const MAX_LENGTH = 64;
const TRAIN_ROWS = 4000;

let dir: string;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'webtune-onnx-sst2-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

describe('8-bit ONNX on SST-2 dev', () => {
  it('agrees with float32 on ≥ 99 % of the rows, accuracy within 0.5 points', async () => {
    const lines = readFileSync(sharedPath('datasets', 'sst2', 'train.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'train.csv'), lines.slice(0, TRAIN_ROWS + 1).join('\n'));
    const data = await prepareTrainingData(
      join(dir, 'train.csv'),
      sharedPath('datasets', 'sst2', 'dev.csv'),
      {},
    );
    const base = await loadModel(sharedModelDir('webtune/bert-tiny-mlm'));
    const tokenizer = loadTokenizer(base.tokenizerFiles, { maxLength: MAX_LENGTH });
    const trainSet = tokenizeExamples(tokenizer, data.prepared.train, MAX_LENGTH);
    const validation = tokenizeExamples(tokenizer, data.prepared.validation, MAX_LENGTH);
    expect(validation).toHaveLength(872);
    const args = resolveTrainingArguments({
      learning_rate: 5e-4,
      num_train_epochs: 1,
      per_device_train_batch_size: 32,
      warmup_ratio: 0.1,
      seed: 42,
    });
    const model = buildClassifier(base.config as HFConfig, base.weights, { numLabels: 2, seed: 42 });
    // The run service, as the CLI drives it: its final evaluation is what the export reports.
    const run = await fineTune({
      task: sequenceClassificationTask,
      model,
      train: trainSet,
      validation,
      args,
      backend: tf.getBackend(),
      hooks: {},
      evaluateExported: classifierEvaluator(data.prepared.labels),
    });
    const finalEvaluation = await run.evaluate();
    const out = join(dir, 'bert-tiny-sst2');
    await exportRun({
      outDir: out,
      base,
      model,
      labels: data.prepared.labels,
      dataset: data.summary,
      args,
      maxLength: MAX_LENGTH,
      logHistory: run.result.logHistory,
      finalEvaluation,
      backend: tf.getBackend(),
      startedAt: new Date(),
    });
    const ours = await predictLogits(model, validation, 64);
    model.dispose();

    const width = Math.max(...validation.map((e) => e.inputIds.length));
    const padded = (row: number[] | undefined, length: number) => [
      ...(row ?? new Array<number>(length).fill(0)),
      ...new Array<number>(width - length).fill(0),
    ];
    const inputs = {
      input_ids: validation.map((e) => padded(e.inputIds, e.inputIds.length)),
      attention_mask: validation.map((e) => padded(new Array(e.inputIds.length).fill(1), e.inputIds.length)),
      token_type_ids: validation.map((e) => padded(e.tokenTypeIds, e.inputIds.length)),
    };
    const [fp32, int8] = runOnnxFiles([join(out, ONNX_MODEL), join(out, ONNX_MODEL_QUANTIZED)], inputs);
    const labels = validation.map((e) => e.label);
    const accuracy = (logits: number[][]) =>
      logits.filter((row, i) => argmax(row) === labels[i]).length / labels.length;
    const fp32Diff = Math.max(
      ...fp32!.logits.flatMap((row, i) => row.map((v, j) => Math.abs(v - ours[i]![j]!))),
    );
    const agreement =
      int8!.logits.filter((row, i) => argmax(row) === argmax(fp32!.logits[i]!)).length / labels.length;
    const [accOurs, accFp32, accInt8] = [accuracy(ours), accuracy(fp32!.logits), accuracy(int8!.logits)];
    console.log(
      `SST-2 dev (${labels.length} rows): WebTune accuracy ${accOurs.toFixed(4)}, ONNX float32 ${accFp32.toFixed(4)} ` +
        `(max |Δlogit| ${fp32Diff.toExponential(2)}), 8-bit ${accInt8.toFixed(4)}; 8-bit agrees with float32 on ` +
        `${(agreement * 100).toFixed(2)} %`,
    );
    // The run taught the model something, so agreement is not the trivial agreement of a constant classifier.
    // (SST-2 dev is balanced: 0.51 is the majority class; one epoch on 4,000 rows reaches about 0.69.)
    expect(accFp32).toBeGreaterThan(0.65);
    expect(fp32Diff).toBeLessThan(1e-4);
    expect(accFp32).toBe(accOurs);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(accInt8 - accFp32)).toBeLessThanOrEqual(0.005);
  }, 600_000);
});
