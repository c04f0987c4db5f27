// A fixture classifier exported as the app and the CLI export it (config, weights, tokenizer, card, ONNX
// files) into a folder, plus WebTune's own probabilities for tokenised rows: what the transformers.js tests
// compare. No tokenizer here: ours loads @xenova/transformers and with it ONNX Runtime 1.14's native library,
// which cannot share a process with transformers.js v3's ONNX Runtime 1.21.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExportFiles, buildExportOnnxFiles } from '../../src/core/export/bundle';
import { buildClassifier } from '../../src/core/models/build';
import type { Architecture } from '../../src/core/models/types';
import { predictLogits } from '../../src/core/train/predict';
import { writeExportFolder } from '../../src/cli/write-folder';
import { readFixtureModel, sampleInputs } from './export-inputs';
import { sharedModelDir } from './shared';

export const TOKENIZED_FIXTURES: { id: string; architecture: Architecture }[] = [
  { id: 'webtune/tiny-random-bert-cls', architecture: 'bert' },
  { id: 'webtune/tiny-random-distilbert-cls', architecture: 'distilbert' },
  { id: 'webtune/tiny-random-roberta-bpe-cls', architecture: 'roberta' },
];

/** Every text of the fixture's reference.json (both sides of its pairs, as single texts). */
export function fixtureTexts(id: string): string[] {
  const reference = JSON.parse(readFileSync(join(sharedModelDir(id), 'reference.json'), 'utf8')) as {
    texts: (string | string[])[];
  };
  return reference.texts.flat();
}

export function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Writes the fixture's export to root/<folder> and returns its labels and folder name. */
export async function writeFixtureExport(
  root: string,
  id: string,
  architecture: Architecture,
): Promise<{ folder: string; labels: string[] }> {
  const inputs = sampleInputs(id, architecture);
  // transformers.js v3 takes a name with '--' for a path, not a model id: the bare name, as the app names it.
  const folder = id.split('/').at(-1)!;
  await writeExportFolder(join(root, folder), buildExportFiles(inputs), buildExportOnnxFiles(inputs));
  return { folder, labels: inputs.labels };
}

/** WebTune's probabilities for tokenised rows, with the fixture's own weights (cpu or wasm, as set). */
export async function webtuneProbabilitiesOfIds(
  id: string,
  batch: { input_ids: number[][]; attention_mask: number[][]; token_type_ids?: number[][] },
  numLabels = 3,
): Promise<number[][]> {
  const model = readFixtureModel(id);
  const classifier = buildClassifier(model.config, model.weights, { numLabels, seed: 0, modelName: id });
  try {
    const rows = batch.input_ids.map((ids, i) => {
      const length = batch.attention_mask[i]!.reduce((a, b) => a + b, 0);
      return {
        inputIds: ids.slice(0, length),
        tokenTypeIds: batch.token_type_ids?.[i]!.slice(0, length),
      };
    });
    return (await predictLogits(classifier, rows, 8)).map(softmax);
  } finally {
    classifier.dispose();
  }
}
