// Reads the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header of {name: {dtype, shape, data_offsets}} plus optional __metadata__, then the bytes.
// F32, F16 and BF16 tensors are converted to float32; other dtypes are refused by name.
import type { HostTensor, TensorMap } from './tensors';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

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
    const width = BYTES[entry.dtype];
    if (!width)
      throw new SafetensorsError(`tensor ${name} has dtype ${entry.dtype}; only F32, F16 and BF16 are read`);
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width || dataStart + end > bytes.byteLength) {
      throw new SafetensorsError(
        `tensor ${name} has offsets ${begin}–${end} that do not fit its shape or the file`,
      );
    }
    tensors.set(name, { shape: entry.shape, data: toFloat32(bytes, dataStart + begin, count, entry.dtype) });
  }
  return tensors;
}

function toFloat32(bytes: Uint8Array, offset: number, count: number, dtype: string): HostTensor['data'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * BYTES[dtype]!);
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  } else if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
  } else {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
