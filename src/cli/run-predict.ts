// `npm run predict`: classifies every row of a data file with a fine-tuned classifier (a Hub id or a folder)
// and writes a CSV with one row per input: the text(s), the predicted label, and each class's probability
// (or raw logit with --logits), the classes in the model's id2label order.
import { writeFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { PredictCliOptions } from './args';
import type { HFConfig, SequenceClassifier } from '../core/models/types';
import { loadTokenizer } from '../core/tokenize/tokenizer';
import { softmax } from '../core/metrics/probabilities';
import { predictLogits } from '../core/train/predict';
import { tokenizeTexts } from '../core/train/tokenize-examples';
import { CliError } from './fail';
import {
  trainedClassifier as buildTrainedClassifier,
  TrainedClassifierError,
  type NamedAdapter,
} from '../core/lora/trained-classifier';
import { loadAdapter, loadModel, type LoadedModel } from './load-model';
import { requireClassifier } from './model-kind';
import { columnMapping, readTable } from './prepare-data';
import { startBackend } from './start-backend';

/** core/lora/trained-classifier.ts's classifier, its refusal as one line. Used by predict and export. */
export function trainedClassifier(
  base: LoadedModel,
  adapter: NamedAdapter | undefined,
): { model: SequenceClassifier; labels: string[] } {
  try {
    return buildTrainedClassifier(
      { config: base.config as HFConfig, weights: base.weights, name: base.displayName },
      adapter,
    );
  } catch (error) {
    if (error instanceof TrainedClassifierError) throw new CliError(error.message);
    throw error;
  }
}

export async function runPredict(o: PredictCliOptions): Promise<number> {
  const table = await readTable(o.data);
  const mapping = columnMapping(table, o, false);
  const ti = table.columns.indexOf(mapping.text);
  const t2i = mapping.text2 === undefined ? -1 : table.columns.indexOf(mapping.text2);
  await startBackend(o.backend);
  const base = await loadModel(o.model, o.hub, requireClassifier);
  const adapter = o.adapter ? await loadAdapter(o.adapter, o.hub) : undefined;
  const { model, labels } = trainedClassifier(base, adapter);
  const tokenizer = loadTokenizer(base.tokenizerFiles, { model: base.displayName, maxLength: o.maxLength });
  const rows = tokenizeTexts(
    tokenizer,
    table.rows.map((row) => row[ti] ?? ''),
    t2i >= 0 ? table.rows.map((row) => row[t2i] ?? '') : undefined,
    o.maxLength,
  );
  const logits = await predictLogits(model, rows, o.batchSize);
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
