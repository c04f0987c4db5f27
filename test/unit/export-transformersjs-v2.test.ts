// transformers.js v2 (@xenova/transformers, ONNX Runtime 1.14 in Node) loads the exported folder with
// pipeline('text-classification', folder), remote models off: the quantised file by default, model.onnx with
// quantized: false. float32 scores within 1e-4 of WebTune's own probabilities; 8-bit gives the same labels.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, pipeline } from '@xenova/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { loadTokenizer, type TextTokenizer } from '../../src/core/tokenize/tokenizer';
import { readFixtureModel } from '../support/export-inputs';
import {
  fixtureTexts,
  TOKENIZED_FIXTURES,
  webtuneProbabilitiesOfIds,
  writeFixtureExport,
} from '../support/onnx-export-fixture';

/** WebTune's own tokenizer of the fixture, as the app and the CLI tokenise. */
function webtuneTokenizer(id: string): TextTokenizer {
  const files: Record<string, string> = {};
  for (const [name, bytes] of readFixtureModel(id).files)
    if (name !== 'config.json') files[name] = new TextDecoder().decode(bytes);
  return loadTokenizer(files);
}

type Scores = { label: string; score: number }[][];

describe('transformers.js v2 on the export', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
    root = await mkdtemp(join(tmpdir(), 'webtune-tjs2-'));
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each(TOKENIZED_FIXTURES)(
    '$id: the pipeline gives WebTune’s probabilities',
    async ({ id, architecture }) => {
      const { folder, labels } = await writeFixtureExport(root, id, architecture);
      const texts = fixtureTexts(id);
      const ours = await webtuneProbabilitiesOfIds(id, webtuneTokenizer(id).encode(texts));
      const byLabel = (rows: Scores) =>
        rows.map((row) => labels.map((l) => row.find((s) => s.label === l)!.score));
      const fp32 = await pipeline('text-classification', folder, { quantized: false });
      const fp32Scores = byLabel((await fp32(texts, { topk: labels.length })) as Scores);
      const q8 = await pipeline('text-classification', folder);
      const q8Scores = byLabel((await q8(texts, { topk: labels.length })) as Scores);
      const diff = Math.max(...fp32Scores.flatMap((row, i) => row.map((p, j) => Math.abs(p - ours[i]![j]!))));
      const q8Diff = Math.max(...q8Scores.flatMap((row, i) => row.map((p, j) => Math.abs(p - ours[i]![j]!))));
      console.log(`${id} v2: float32 max |Δp| ${diff.toExponential(2)}, 8-bit ${q8Diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
      // The fixtures are random classifiers whose probabilities sit near 1/3: the 8-bit model stays near them.
      expect(q8Diff).toBeLessThan(0.02);
      await fp32.dispose();
      await q8.dispose();
    },
  );
});
