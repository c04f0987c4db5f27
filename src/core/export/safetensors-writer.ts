// Writes the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header of {name: {dtype, shape, data_offsets}} plus __metadata__, then the raw bytes.
// Every tensor is written as F32, in name order, back to back; the header is padded with spaces so the
// data starts on an 8-byte boundary, as the specification recommends and the Rust reader expects.
import type { TensorMap } from '../hub/tensors';

export class SafetensorsWriteError extends Error {}

/** What `save_pretrained` writes as metadata for PyTorch weights. */
export const PT_METADATA: Readonly<Record<string, string>> = { format: 'pt' };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Tensor names in the order they are laid out in the file (code-point order, as Python's `sorted`). */
export function safetensorsOrder(tensors: TensorMap): string[] {
  return [...tensors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function writeSafetensors(
  tensors: TensorMap,
  metadata: Record<string, string> = PT_METADATA,
): Uint8Array {
  // Entries are serialised one by one: a plain object would take a tensor named "__proto__" as its prototype.
  const entries: string[] = [`"__metadata__":${JSON.stringify(metadata)}`];
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new SafetensorsWriteError(`metadata ${key} must be a string, got ${typeof value}`);
    }
  }
  const names = safetensorsOrder(tensors);
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors.get(name)!;
    if (name === '' || name === '__metadata__') {
      throw new SafetensorsWriteError(`"${name}" cannot be a tensor name in a safetensors file`);
    }
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsWriteError(`tensor ${name} has an invalid shape [${shape.join(', ')}]`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(data instanceof Float32Array) || data.length !== count) {
      throw new SafetensorsWriteError(
        `tensor ${name} has shape [${shape.join(', ')}] (${count} values) but holds ${data.length} float32 values`,
      );
    }
    const entry = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + count * 4] };
    entries.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    offset += count * 4;
  }

  let json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const padding = (8 - ((8 + json.byteLength) % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(json.byteLength + padding).fill(0x20);
    padded.set(json);
    json = padded;
  }

  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const name of names) {
    const { data } = tensors.get(name)!;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else {
      const view = new DataView(out.buffer, at, data.byteLength);
      for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
    }
    at += data.byteLength;
  }
  return out;
}
