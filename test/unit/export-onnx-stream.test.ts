// The ONNX files are streamed from the weights, not copied: the float32 file's pieces include the checkpoint's
// own arrays (the embedding tables are written from views on them), its announced size is what it produces,
// twice the same bytes, and it carries each weight once. The app's zip stores the files uncompressed.
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildExportOnnxFiles, buildExportFiles } from '../../src/core/export/bundle';
import { ONNX_MODEL, ONNX_MODEL_QUANTIZED } from '../../src/core/export/onnx/classifier';
import { collectStreamedFile } from '../../src/core/export/streamed-file';
import { zipExport } from '../../src/core/export/zip';
import { sampleInputs } from '../support/export-inputs';

const inputs = sampleInputs('webtune/tiny-random-bert-cls', 'bert');
const onnx = buildExportOnnxFiles(inputs);

describe('streamed ONNX files', () => {
  it('write the weights from the arrays they are held in, once each', () => {
    const file = onnx.get(ONNX_MODEL)!;
    const buffers = new Set([...file.chunks()].map((c) => c.buffer));
    const word = inputs.weights.get('bert.embeddings.word_embeddings.weight')!;
    expect(buffers.has(word.data.buffer)).toBe(true);
    const bytes = collectStreamedFile(file);
    expect(bytes.byteLength).toBe(file.byteLength);
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(collectStreamedFile(file)))).toBe(0);
    const weightBytes = [...inputs.weights.values()].reduce((a, t) => a + t.data.byteLength, 0);
    // Every weight once, plus the graph (a few kB): no second copy of any tensor.
    expect(file.byteLength).toBeGreaterThan(weightBytes);
    expect(file.byteLength).toBeLessThan(weightBytes + 64 * 1024);
    // The 8-bit file holds int8 matrices and embeddings: about a quarter, plus the float32 position tables.
    expect(onnx.get(ONNX_MODEL_QUANTIZED)!.byteLength).toBeLessThan(file.byteLength / 2);
  });

  it('go into the zip stored, byte for byte', () => {
    const zip = zipExport(buildExportFiles(inputs), { folder: 'm' }, onnx);
    const methods = new Map<string, number>();
    const entries = unzipSync(zip, {
      filter: (f) => {
        methods.set(f.name, f.compression);
        return true;
      },
    });
    for (const [name, file] of onnx) {
      expect(methods.get(`m/${name}`)).toBe(0);
      expect(Buffer.compare(Buffer.from(entries[`m/${name}`]!), Buffer.from(collectStreamedFile(file)))).toBe(
        0,
      );
    }
  });
});
