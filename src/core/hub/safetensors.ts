// Reads the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header of {name: {dtype, shape, data_offsets}} plus optional __metadata__, then the bytes.
// Float tensors (F64 / F32 / F16 / BF16) and integer buffers are converted to float32 (dtypes.ts); other dtypes
// (fp8, …) are refused by name. Sharded checkpoints list their shards in `model.safetensors.index.json`.
import { DTYPE_BYTES, toFloat32 } from './dtypes';
import type { TensorMap } from './tensors';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export class SafetensorsError extends Error {}

export function readSafetensorsHeader(bytes: Uint8Array): {
  entries: Record<string, HeaderEntry>;
  metadata: Record<string, string>;
  dataStart: number;
} {
  if (bytes.byteLength < 8) throw new SafetensorsError('the file is shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) {
    throw new SafetensorsError(
      `the header claims ${headerLength} bytes but the file has ${bytes.byteLength}`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      unknown
    >;
  } catch {
    throw new SafetensorsError('the header is not valid JSON');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError('the header is not a JSON object');
  }
  const { __metadata__, ...entries } = header;
  return {
    entries: entries as Record<string, HeaderEntry>,
    metadata: (__metadata__ ?? {}) as Record<string, string>,
    dataStart: 8 + headerLength,
  };
}

export function readSafetensors(bytes: Uint8Array): TensorMap {
  const { entries, dataStart } = readSafetensorsHeader(bytes);
  const tensors: TensorMap = new Map();
  for (const [name, entry] of Object.entries(entries)) {
    const width = DTYPE_BYTES[entry.dtype];
    if (!width) {
      throw new SafetensorsError(
        `tensor ${name} has dtype ${entry.dtype}; only ${Object.keys(DTYPE_BYTES).join(', ')} are read`,
      );
    }
    if (!Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) {
      throw new SafetensorsError(`tensor ${name} has no shape or data_offsets in the header`);
    }
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width || begin < 0 || dataStart + end > bytes.byteLength) {
      throw new SafetensorsError(
        `tensor ${name} has offsets ${begin}–${end} that do not fit its shape or the file`,
      );
    }
    tensors.set(name, { shape: entry.shape, data: toFloat32(bytes, dataStart + begin, count, entry.dtype) });
  }
  return tensors;
}

/** The shard of each tensor in a sharded checkpoint's index (`model.safetensors.index.json`). */
export function readShardIndex(json: unknown): { weightMap: Map<string, string>; shards: string[] } {
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (!weightMap || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
    throw new SafetensorsError('the index has no weight_map object');
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard.includes('..') || shard.startsWith('/')) {
      throw new SafetensorsError(`the index names shard ${JSON.stringify(shard)} for tensor ${name}`);
    }
    map.set(name, shard);
  }
  return { weightMap: map, shards: [...new Set(map.values())] };
}
