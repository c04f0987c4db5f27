// `npm run predict`: classifies every row of a data file with a fine-tuned classifier (a Hub id or a folder)
// and writes a CSV with one row per input: the text(s), the predicted label, and each class's probability
// (or raw logit with --logits), the classes in the model's id2label order.
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { PredictCliOptions } from './args';
import { buildClassifier } from '../core/models/build';
import type { HFConfig, SequenceClassifier } from '../core/models/types';
import { loadTokenizer } from '../core/tokenize/tokenizer';
import { padBatch } from '../core/train/batching';
import { CliError } from './fail';
import { loadModel } from './load-model';
import { columnMapping, readTable } from './prepare-data';
import { startBackend } from './start-backend';
import { tokenizeExamples } from './tokenize-cache';

/** The class names in logit order: id2label when complete, else LABEL_i as transformers names them. */
export function classNames(config: HFConfig, modelName: string): string[] {
  const id2label = config.id2label ?? {};
  const count = Number(config.num_labels ?? Object.keys(id2label).length);
  if (!Number.isInteger(count) || count < 1)
    throw new CliError(
      `${modelName} is not a sequence classifier: its config.json has no id2label / num_labels`,
    );
  return Array.from({ length: count }, (_, i) => id2label[String(i)] ?? `LABEL_${i}`);
}

/** Logits [rows][classes] in batches, without dropout. */
export async function predictLogits(
  model: SequenceClassifier,
  examples: Parameters<typeof padBatch>[0],
  batchSize: number,
): Promise<number[][]> {
  const out: number[][] = [];
  for (let start = 0; start < examples.length; start += batchSize) {
    const indices = [...Array(Math.min(batchSize, examples.length - start)).keys()].map((i) => start + i);
    const logits = tf.tidy(() =>
      model.forward(padBatch(examples, indices, model.config.pad_token_id ?? 0).inputs, { training: false }),
    );
    const rows = (await logits.array()) as number[][];
    logits.dispose();
    out.push(...rows);
  }
  return out;
}

export function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export async function runPredict(o: PredictCliOptions): Promise<number> {
  const table = await readTable(o.data);
  const mapping = columnMapping(table, o, false);
  const ti = table.columns.indexOf(mapping.text);
  const t2i = mapping.text2 === undefined ? -1 : table.columns.indexOf(mapping.text2);
  await startBackend(o.backend);
  const base = await loadModel(o.model, o.hub);
  const config = base.config as HFConfig;
  const labels = classNames(config, base.displayName);
  const model = buildClassifier(config, base.weights, {
    numLabels: labels.length,
    seed: 0,
    modelName: base.displayName,
  });
  const missingHead = model.loadReport?.initialized ?? [];
  if (missingHead.length > 0) {
    model.dispose();
    throw new CliError(
      `${base.displayName} has no trained classification head (missing ${missingHead.join(', ')}); fine-tune it first`,
    );
  }
  const tokenizer = loadTokenizer(base.tokenizerFiles, { model: base.displayName, maxLength: o.maxLength });
  const examples = tokenizeExamples(
    tokenizer,
    table.rows.map((row) => ({
      text: row[ti] ?? '',
      text2: t2i >= 0 ? (row[t2i] ?? '') : undefined,
      label: 0,
    })),
    o.maxLength,
  );
  const logits = await predictLogits(model, examples, o.batchSize);
  model.dispose();
  const header = [mapping.text, ...(mapping.text2 ? [mapping.text2] : []), 'predicted_label', ...labels];
  const body = table.rows.map((row, i) => {
    const values = logits[i]!;
    const best = values.indexOf(Math.max(...values));
    const scores = o.logits ? values : softmax(values);
    return [row[ti] ?? '', ...(t2i >= 0 ? [row[t2i] ?? ''] : []), labels[best]!, ...scores.map(String)];
  });
  await writeFile(o.out, `${Papa.unparse([header, ...body], { newline: '\n' })}\n`);
  process.stderr.write(`wrote ${body.length} predictions to ${o.out}\n`);
  return 0;
}
