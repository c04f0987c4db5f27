// Writes the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header of {name: {dtype, shape, data_offsets}} plus __metadata__, then the raw bytes.
// Every tensor is written as F32, in name order, back to back; the header is padded with spaces so the
// data starts on an 8-byte boundary, as the specification recommends and the Rust reader expects.
// streamSafetensors gives the file in pieces (views on the weights) for writing without a copy.
import type { TensorMap } from '../hub/tensors';
import { float32Bytes } from './onnx/graph';
import { collectStreamedFile, type StreamedFile } from './streamed-file';

export class SafetensorsWriteError extends Error {}

/** What `save_pretrained` writes as metadata for PyTorch weights. */
export const PT_METADATA: Readonly<Record<string, string>> = { format: 'pt' };

/** Tensor names in the order they are laid out in the file (code-point order, as Python's `sorted`). */
export function safetensorsOrder(tensors: TensorMap): string[] {
  return [...tensors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function writeSafetensors(
  tensors: TensorMap,
  metadata: Record<string, string> = PT_METADATA,
): Uint8Array {
  return collectStreamedFile(streamSafetensors(tensors, metadata));
}

/**
 * The same file as writeSafetensors, in pieces: the header, then each tensor's bytes as a view on its array
 * (converted one tensor at a time on a big-endian host), so writing it holds no second copy of the weights.
 */
export function streamSafetensors(
  tensors: TensorMap,
  metadata: Record<string, string> = PT_METADATA,
): StreamedFile {
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
  const head = new Uint8Array(8 + json.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  head.set(json, 8);
  return {
    byteLength: head.byteLength + offset,
    *chunks() {
      yield head;
      for (const name of names) yield float32Bytes(tensors.get(name)!.data);
    },
  };
}
