// Raw little-endian tensor bytes of the dtypes checkpoints use, converted to float32 (the only dtype WebTune
// trains in). Integer tensors (e.g. BERT's `position_ids` buffer) are converted too; they are exact below 2^24.

/** Bytes per element, by safetensors dtype name. */
export const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `count` elements of `dtype` starting at `offset`. Aligned F32 data on a little-endian machine is returned as
 * a view of `bytes` without copying (a large checkpoint is then held once, not twice).
 */
export function toFloat32(bytes: Uint8Array, offset: number, count: number, dtype: string): Float32Array {
  const width = DTYPE_BYTES[dtype];
  if (!width) throw new Error(`dtype ${dtype} is not supported`);
  const start = bytes.byteOffset + offset;
  if (dtype === 'F32' && LITTLE_ENDIAN) {
    if (start % 4 === 0) return new Float32Array(bytes.buffer, start, count);
    return new Float32Array(bytes.buffer.slice(start, start + count * 4));
  }
  const view = new DataView(bytes.buffer, start, count * width);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    default: // U8, BOOL
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
  }
  return out;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
