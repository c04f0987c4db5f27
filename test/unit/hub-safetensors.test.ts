import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/core/hub/cache';
import { droppedFilesSource } from '../../src/core/hub/dropped-source';
import { ModelLoadError } from '../../src/core/hub/errors';
import { loadConfig, loadWeights } from '../../src/core/hub/load';
import { readSafetensors, readShardIndex } from '../../src/core/hub/safetensors';

/** A safetensors file by hand: header JSON (unpadded unless asked), then the given little-endian bytes. */
function safetensors(header: Record<string, unknown>, data: number[], pad = false): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json += ' '.repeat((8 - (json.length % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + text.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
  bytes.set(text, 8);
  bytes.set(data, 8 + text.length);
  return bytes;
}

// 1.5 and -2 as little-endian float32; 7 and -1 as int64; 1.0 as F16 (0x3c00) and BF16 (0x3f80).
const F32 = [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0];
const I64 = [7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

describe('the safetensors reader', () => {
  it('reads F32 at any alignment, F16 / BF16 / I64 converted to float32', () => {
    for (const pad of [false, true]) {
      const bytes = safetensors(
        {
          w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          ids: { dtype: 'I64', shape: [2, 1], data_offsets: [8, 24] },
          h: { dtype: 'F16', shape: [1], data_offsets: [24, 26] },
          b: { dtype: 'BF16', shape: [1], data_offsets: [26, 28] },
          __metadata__: { format: 'pt' },
        },
        [...F32, ...I64, 0x00, 0x3c, 0x80, 0x3f],
        pad,
      );
      expect((bytes.length - 28) % 4 === 0).toBe(pad); // unpadded, the F32 data starts unaligned
      const tensors = readSafetensors(bytes);
      expect([...tensors.get('w')!.data]).toEqual([1.5, -2]);
      expect(tensors.get('ids')).toEqual({ shape: [2, 1], data: new Float32Array([7, -1]) });
      expect([...tensors.get('h')!.data, ...tensors.get('b')!.data]).toEqual([1, 1]);
    }
  });

  it('refuses other dtypes and offsets that do not fit, naming the tensor', () => {
    const fp8 = safetensors({ x: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]);
    expect(() => readSafetensors(fp8)).toThrow(/tensor x has dtype F8_E4M3; only F64, F32, F16, BF16, I64/);
    const short = safetensors({ y: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, F32);
    expect(() => readSafetensors(short)).toThrow(/tensor y has offsets 0–12 that do not fit/);
    expect(() => readShardIndex({ weight_map: { a: '../../etc/passwd' } })).toThrow(/names shard/);
    expect(() => readShardIndex({})).toThrow(/no weight_map/);
  });

  it('reports unreadable files through the loader with the model and the file', async () => {
    const broken = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0x7b]); // header length 1, "{" is not JSON
    const source = droppedFilesSource(
      { 'm/config.json': new Blob(['{"model_type": ']), 'm/model.safetensors': new Blob([broken]) },
      'my-model',
    );
    const weights = (await loadWeights(source, { cache: new MemoryCache() }).catch(
      (e: unknown) => e,
    )) as ModelLoadError;
    expect([weights.code, weights.model, weights.file]).toEqual([
      'bad-file',
      'my-model',
      'model.safetensors',
    ]);
    expect(weights.message).toBe(
      'model.safetensors of model my-model cannot be read: the header is not valid JSON',
    );
    const config = (await loadConfig(source).catch((e: unknown) => e)) as ModelLoadError;
    expect(config.message).toMatch(/^config\.json of model my-model is not valid JSON/);
  });
});
