// The ONNX export of bert-tiny-mlm (with a seeded 2-label head): how long the export takes, the size and load
// time of each ONNX file in transformers.js v2, and inference throughput on 256 SST-2 dev texts at batch 32:
// WebTune's own predict (tfjs wasm, tokenisation included) against transformers.js v2's pipeline (tokenisation
// included; onnxruntime-node in Node) and ONNX Runtime Web's wasm backend — the engine transformers.js runs in
// browsers — on the same padded ids. `npx tsx bench/onnx.ts` prints the table; `onnxSuite` plugs into run.ts.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { env, pipeline } from '@xenova/transformers';
import * as ortModule from 'onnxruntime-web';
import Papa from 'papaparse';
import { loadModel, modelFileBytes } from '../src/cli/load-model';
import { writeExportFolder } from '../src/cli/write-folder';
import { initBackend } from '../src/core/backend';
import { onnxModelFiles } from '../src/core/export/bundle';
import { classifierWeights } from '../src/core/export/classifier-weights';
import { buildClassifierConfig, configJson } from '../src/core/export/config';
import { ONNX_MODEL, ONNX_MODEL_QUANTIZED } from '../src/core/export/onnx/classifier';
import { tokenizerFiles } from '../src/core/export/tokenizer-files';
import { buildClassifier } from '../src/core/models/build';
import type { HFConfig } from '../src/core/models/types';
import { loadTokenizer } from '../src/core/tokenize/tokenizer';
import { predictLogits } from '../src/core/train/predict';
import { sharedModelDir, sharedPath } from '../test/support/shared';

// onnxruntime-web is CommonJS: under Node's ESM its API is the default export.
const ort = ((ortModule as unknown as { default?: typeof ortModule }).default ??
  ortModule) as typeof ortModule;

const MODEL = 'webtune/bert-tiny-mlm';
const TEXTS = 256;
const BATCH = 32;
const REPS = 3;

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPS / 2)]!;
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

export const onnxSuite = {
  name: `ONNX export of bert-tiny-mlm: size, load, texts/s (${TEXTS} SST-2 dev texts, batch ${BATCH})`,
  async run() {
    await initBackend({ prefer: 'wasm' });
    const dir = mkdtempSync(join(tmpdir(), 'webtune-bench-onnx-'));
    try {
      const base = await loadModel(sharedModelDir(MODEL));
      const baseConfig = base.config as HFConfig;
      const model = buildClassifier(baseConfig, base.weights, { numLabels: 2, seed: 1 });
      const labels = ['negative', 'positive'];
      const folder = 'bert-tiny-bench';
      const t0 = performance.now();
      const weights = await classifierWeights(model.variables);
      const config = buildClassifierConfig(baseConfig, { architecture: model.architecture, labels });
      const files = tokenizerFiles(modelFileBytes(base), baseConfig);
      files.set('config.json', new TextEncoder().encode(configJson(config)));
      const onnx = onnxModelFiles({ architecture: model.architecture, baseConfig, labels, weights });
      await writeExportFolder(join(dir, folder), files, onnx);
      const exportMs = performance.now() - t0;

      const texts = Papa.parse<{ text: string }>(
        readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8'),
        {
          header: true,
          skipEmptyLines: true,
        },
      )
        .data.slice(0, TEXTS)
        .map((r) => r.text);
      const tokenizer = loadTokenizer(base.tokenizerFiles);
      const ms = (x: number) => Number(x.toFixed(1));
      const perSecond = (millis: number) => Number(((TEXTS * 1000) / millis).toFixed(1));
      const rows: Record<string, string | number>[] = [];

      // WebTune's own predict on tfjs wasm, from texts (tokenising included).
      const webtune = await median(async () => {
        for (const chunk of batches(texts)) {
          const batch = tokenizer.encode(chunk);
          const inputs = batch.input_ids.map((ids, i) => {
            const length = batch.attention_mask[i]!.reduce((a, b) => a + b, 0);
            return {
              inputIds: ids.slice(0, length),
              tokenTypeIds: batch.token_type_ids?.[i]!.slice(0, length),
            };
          });
          await predictLogits(model, inputs, BATCH);
        }
      });
      rows.push({
        case: `WebTune predict, tfjs ${tf.getBackend()} (${getThreadsCount()} threads)`,
        file: 'model.safetensors (as loaded)',
        texts_per_s: perSecond(webtune),
      });
      model.dispose();

      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = dir;
      ort.env.wasm.numThreads = getThreadsCount();
      const padded = batches(texts).map((chunk) => tokenizer.encode(chunk));
      for (const [file, quantized] of [
        [ONNX_MODEL, false],
        [ONNX_MODEL_QUANTIZED, true],
      ] as const) {
        const path = join(dir, folder, file);
        const load = await median(async () => {
          const classifier = await pipeline('text-classification', folder, { quantized });
          await classifier.dispose();
        });
        const classifier = await pipeline('text-classification', folder, { quantized });
        await classifier(texts.slice(0, BATCH)); // warm-up
        const pipelineMs = await median(async () => {
          for (const chunk of batches(texts)) await classifier(chunk);
        });
        await classifier.dispose();
        rows.push({
          case: 'transformers.js v2 pipeline, onnxruntime-node',
          file,
          bytes: statSync(path).size,
          load_ms: ms(load),
          texts_per_s: perSecond(pipelineMs),
        });

        const bytes = new Uint8Array(readFileSync(path));
        const loadWeb = await median(() =>
          ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] }),
        );
        const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
        const feeds = padded.map((batch) => {
          const feed: Record<string, ortModule.Tensor> = {};
          for (const name of session.inputNames) {
            const rowsOf = (batch as unknown as Record<string, number[][]>)[name]!;
            const flat = BigInt64Array.from(rowsOf.flat(), (v) => BigInt(v));
            feed[name] = new ort.Tensor('int64', flat, [rowsOf.length, rowsOf[0]!.length]);
          }
          return feed;
        });
        await session.run(feeds[0]!);
        const webMs = await median(async () => {
          for (const feed of feeds) await session.run(feed);
        });
        rows.push({
          case: `ONNX Runtime Web 1.14, wasm (${ort.env.wasm.numThreads} threads), ids given`,
          file,
          bytes: statSync(path).size,
          load_ms: ms(loadWeb),
          texts_per_s: perSecond(webMs),
        });
      }
      rows.push({
        case: 'export (read weights, build and write both files)',
        file: 'onnx/',
        load_ms: ms(exportMs),
      });
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await onnxSuite.run());
  process.exit(0);
}
