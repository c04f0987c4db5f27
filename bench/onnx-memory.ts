// What writing the ONNX files of a BERT-base-sized classifier (110M parameters, 438 MB of float32 weights,
// random values) costs in memory beyond the weights themselves: the process's resident set is sampled while
// both files are built and streamed to disk. The float32 file is written from views on the weights (the
// transposed Linear matrices one at a time); the 8-bit file holds its int8 matrices (a quarter of the weights)
// while it is written. `npx tsx bench/onnx-memory.ts`; `onnxMemorySuite` plugs into run.ts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStreamedFile } from '../src/cli/write-folder';
import { classifierOnnx } from '../src/core/export/onnx/classifier';
import { float32Precision } from '../src/core/export/onnx/float32';
import { int8Precision } from '../src/core/export/onnx/quantize';
import type { TensorMap } from '../src/core/hub/tensors';
import type { HFConfig } from '../src/core/models/types';

const CONFIG: HFConfig = {
  model_type: 'bert',
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  max_position_embeddings: 512,
  type_vocab_size: 2,
};

/** BertForSequenceClassification's tensors with small pseudo-random values (an LCG: fast, not Gaussian). */
function bertBaseWeights(numLabels: number): TensorMap {
  const h = 768;
  const shapes: [string, number[]][] = [
    ['bert.embeddings.word_embeddings.weight', [30522, h]],
    ['bert.embeddings.position_embeddings.weight', [512, h]],
    ['bert.embeddings.token_type_embeddings.weight', [2, h]],
    ['bert.embeddings.LayerNorm.weight', [h]],
    ['bert.embeddings.LayerNorm.bias', [h]],
    ['bert.pooler.dense.weight', [h, h]],
    ['bert.pooler.dense.bias', [h]],
    ['classifier.weight', [numLabels, h]],
    ['classifier.bias', [numLabels]],
  ];
  for (let i = 0; i < 12; i++) {
    const at = `bert.encoder.layer.${i}.`;
    for (const n of [
      'attention.self.query',
      'attention.self.key',
      'attention.self.value',
      'attention.output.dense',
    ])
      shapes.push([`${at}${n}.weight`, [h, h]], [`${at}${n}.bias`, [h]]);
    shapes.push([`${at}intermediate.dense.weight`, [3072, h]], [`${at}intermediate.dense.bias`, [3072]]);
    shapes.push([`${at}output.dense.weight`, [h, 3072]], [`${at}output.dense.bias`, [h]]);
    for (const n of ['attention.output.LayerNorm', 'output.LayerNorm'])
      shapes.push([`${at}${n}.weight`, [h]], [`${at}${n}.bias`, [h]]);
  }
  let state = 12345;
  const map: TensorMap = new Map();
  for (const [name, shape] of shapes) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      data[i] = (state / 2 ** 32 - 0.5) * 0.08;
    }
    map.set(name, { shape, data });
  }
  return map;
}

const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

export const onnxMemorySuite = {
  name: 'ONNX export of a BERT-base-sized classifier (110M parameters): memory beyond the weights',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'webtune-bench-onnx-mem-'));
    try {
      const weights = bertBaseWeights(2);
      const weightBytes = [...weights.values()].reduce((a, t) => a + t.data.byteLength, 0);
      const rows = [];
      for (const [file, precision] of [
        ['model.onnx', float32Precision],
        ['model_quantized.onnx', int8Precision],
      ] as const) {
        globalThis.gc?.();
        const before = process.memoryUsage().rss;
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
        const t0 = performance.now();
        const onnx = classifierOnnx(
          { architecture: 'bert', config: CONFIG, weights, numLabels: 2 },
          precision,
        );
        peak = Math.max(peak, process.memoryUsage().rss);
        await writeStreamedFile(join(dir, file), onnx);
        const ms = performance.now() - t0;
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        rows.push({
          file,
          weights_mb: mb(weightBytes),
          file_mb: mb(statSync(join(dir, file)).size),
          peak_rss_above_start_mb: mb(peak - before),
          seconds: Number((ms / 1000).toFixed(1)),
        });
      }
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await onnxMemorySuite.run());
  process.exit(0);
}
