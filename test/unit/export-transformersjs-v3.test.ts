// transformers.js v3 (@huggingface/transformers 3.8, ONNX Runtime 1.21 in Node) loads the exported folder with
// pipeline('text-classification', folder), remote models off, with dtype 'fp32' (onnx/model.onnx) and 'q8'
// (onnx/model_quantized.onnx). float32 scores within 1e-4 of WebTune's own probabilities; 8-bit gives the same labels.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import {
  fixtureTexts,
  TOKENIZED_FIXTURES,
  webtuneProbabilitiesOfIds,
  writeFixtureExport,
} from '../support/onnx-export-fixture';

type Scores = { label: string; score: number }[][];

describe('transformers.js v3 on the export', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
    root = await mkdtemp(join(tmpdir(), 'webtune-tjs3-'));
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
      // The rows the pipeline itself makes (v3's tokenizer, padding and truncation on), through WebTune's model.
      const tokenizer = await AutoTokenizer.from_pretrained(folder);
      const encoded = tokenizer(texts, { padding: true, truncation: true });
      const rows = (name: string) =>
        encoded[name] ? (encoded[name].tolist() as bigint[][]).map((r) => r.map(Number)) : undefined;
      const ours = await webtuneProbabilitiesOfIds(id, {
        input_ids: rows('input_ids')!,
        attention_mask: rows('attention_mask')!,
        token_type_ids: rows('token_type_ids'),
      });
      const byLabel = (rows: Scores) =>
        rows.map((row) => labels.map((l) => row.find((s) => s.label === l)!.score));
      const fp32 = await pipeline('text-classification', folder, { dtype: 'fp32' });
      const fp32Scores = byLabel((await fp32(texts, { top_k: labels.length })) as Scores);
      const q8 = await pipeline('text-classification', folder, { dtype: 'q8' });
      const q8Scores = byLabel((await q8(texts, { top_k: labels.length })) as Scores);
      const diff = Math.max(...fp32Scores.flatMap((row, i) => row.map((p, j) => Math.abs(p - ours[i]![j]!))));
      const q8Diff = Math.max(...q8Scores.flatMap((row, i) => row.map((p, j) => Math.abs(p - ours[i]![j]!))));
      console.log(`${id} v3: float32 max |Δp| ${diff.toExponential(2)}, 8-bit ${q8Diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
      // The fixtures are random classifiers whose probabilities sit near 1/3: the 8-bit model stays near them.
      expect(q8Diff).toBeLessThan(0.02);
      // With no dtype, v3 on Node's cpu device picks fp32: the folder loads with the library's defaults.
      const byDefault = await pipeline('text-classification', folder);
      const defaultScores = byLabel((await byDefault(texts, { top_k: labels.length })) as Scores);
      expect(defaultScores).toEqual(fp32Scores);
      await fp32.dispose();
      await q8.dispose();
      await byDefault.dispose();
    },
  );
});
