// `npm run predict`: classifies every row of a data file with a fine-tuned classifier (a Hub id or a folder)
// and writes a CSV with one row per input: the text(s), the predicted label, and each class's probability
// (or raw logit with --logits), the classes in the model's id2label order.
import { writeFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { PredictCliOptions } from './args';
import { buildClassifier } from '../core/models/build';
import type { HFConfig, SequenceClassifier } from '../core/models/types';
import { loadTokenizer } from '../core/tokenize/tokenizer';
import { softmax } from '../core/metrics/probabilities';
import { predictLogits } from '../core/train/predict';
import { tokenizeTexts } from '../core/train/tokenize-examples';
import { CliError } from './fail';
import { attachLora, PEFT_PREFIX } from '../core/lora/attach';
import type { ReadAdapter } from '../core/lora/adapter-files';
import { LoraConfigError } from '../core/lora/config';
import { classificationHead, descriptorFor } from '../core/models/registry';
import { loadAdapter, loadModel, type LoadedModel } from './load-model';
import { requireEncoder } from './model-kind';
import { columnMapping, readTable } from './prepare-data';
import { startBackend } from './start-backend';

/**
 * The base model as a classifier with a trained head, a PEFT adapter attached when one is given (its saved
 * modules then provide the head); one line naming what is missing otherwise. Used by predict and export.
 */
export function trainedClassifier(
  base: LoadedModel,
  adapter: (ReadAdapter & { name: string }) | undefined,
): { model: SequenceClassifier; labels: string[] } {
  const config = base.config as HFConfig;
  const labels = adapter
    ? adapterClassNames(config, adapter, base.displayName)
    : classNames(config, base.displayName);
  const model = buildClassifier(config, base.weights, {
    numLabels: labels.length,
    seed: 0,
    modelName: base.displayName,
  });
  try {
    if (adapter) {
      try {
        attachLora(model, adapter.config, { seed: 0, weights: adapter.weights, modelName: adapter.name });
      } catch (error) {
        if (error instanceof LoraConfigError) throw new CliError(error.message);
        throw error;
      }
    }
    const fromAdapter = new Set(model.lora?.savedVariableNames ?? []);
    const missingHead = (model.loadReport?.initialized ?? []).filter((n) => !fromAdapter.has(n));
    if (missingHead.length > 0)
      throw new CliError(
        `${base.displayName} has no trained classification head (missing ${missingHead.join(', ')}); fine-tune it first`,
      );
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, labels };
}

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

/**
 * The class names for a base + SEQ_CLS adapter: as many as the adapter's head has rows, named by the base's
 * id2label when that has the same count (PEFT adapters carry no label names), else LABEL_i.
 */
export function adapterClassNames(
  config: HFConfig,
  adapter: ReadAdapter & { name: string },
  modelName: string,
): string[] {
  const head = classificationHead(descriptorFor(config, modelName).modelType);
  const rows = adapter.weights.get(`${PEFT_PREFIX}${head.outLayer}.weight`)?.shape[0];
  if (adapter.config.task_type !== 'SEQ_CLS' || rows === undefined)
    throw new CliError(
      `${adapter.name} is not a sequence-classification adapter with a trained head (${head.outLayer}) for ${modelName}`,
    );
  const id2label = config.id2label ?? {};
  const named = Object.keys(id2label).length === rows;
  return Array.from({ length: rows }, (_, i) => (named ? id2label[String(i)] : undefined) ?? `LABEL_${i}`);
}

export async function runPredict(o: PredictCliOptions): Promise<number> {
  const table = await readTable(o.data);
  const mapping = columnMapping(table, o, false);
  const ti = table.columns.indexOf(mapping.text);
  const t2i = mapping.text2 === undefined ? -1 : table.columns.indexOf(mapping.text2);
  await startBackend(o.backend);
  const base = await loadModel(o.model, o.hub, requireEncoder);
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
