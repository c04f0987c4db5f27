// A trainer checkpoint as one byte buffer, for a file in Node or a Blob in IndexedDB: a little-endian u32 header
// length, a JSON header (every field but the tensors, which it lists by offset), then the float32 data.
// In the browser the TrainerCheckpoint object itself can also go to IndexedDB as is (Maps and typed arrays clone).
import type { TensorMap } from '../hub/tensors';
import type { TrainerCheckpoint } from './trainer';

const MAGIC = 'WTCK';

interface TensorEntry {
  shape: number[];
  /** Offset in float32 elements from the start of the data section. */
  offset: number;
}
type TensorIndex = Record<string, TensorEntry>;

type Header = Omit<TrainerCheckpoint, 'weights' | 'optimizer' | 'bestWeights'> & {
  magic: typeof MAGIC;
  weights: TensorIndex;
  optimizer: { step: number; m: TensorIndex; v: TensorIndex };
  bestWeights?: TensorIndex;
};

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function encodeCheckpoint(checkpoint: TrainerCheckpoint): Uint8Array {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const index = (map: TensorMap): TensorIndex => {
    const out: TensorIndex = {};
    for (const [name, t] of map) {
      if (t.data.length !== size(t.shape))
        throw new Error(`Checkpoint tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
      out[name] = { shape: t.shape, offset };
      chunks.push(t.data);
      offset += t.data.length;
    }
    return out;
  };
  const header: Header = {
    ...checkpoint,
    magic: MAGIC,
    weights: index(checkpoint.weights),
    optimizer: {
      step: checkpoint.optimizer.step,
      m: index(checkpoint.optimizer.m),
      v: index(checkpoint.optimizer.v),
    },
    bestWeights: checkpoint.bestWeights && index(checkpoint.bestWeights),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((4 + json.length) / 4) * 4; // float32-aligned
  const bytes = new Uint8Array(dataStart + offset * 4);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  const data = new Float32Array(bytes.buffer, dataStart, offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'the checkpoint'): TrainerCheckpoint {
  const fail = (why: string): never => {
    throw new Error(`Cannot read ${source}: ${why}`);
  };
  if (bytes.length < 4) fail('it is too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(0, true);
  if (4 + jsonLength > bytes.length) fail('its header runs past the end (truncated file?)');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + jsonLength))) as Header;
  } catch {
    return fail('its header is not JSON');
  }
  if (header.magic !== MAGIC || header.format !== 'webtune-trainer-checkpoint')
    fail('it is not a WebTune checkpoint');
  if (header.version !== 1) fail(`version ${header.version} is not supported`);
  const dataStart = Math.ceil((4 + jsonLength) / 4) * 4;
  // Copy out so the result does not depend on the buffer's alignment or lifetime.
  const floats = (offset: number, length: number): Float32Array => {
    const start = dataStart + offset * 4;
    if (start + length * 4 > bytes.length) fail('its data is shorter than its header says (truncated file?)');
    return new Float32Array(bytes.slice(start, start + length * 4).buffer);
  };
  const tensors = (index: TensorIndex): TensorMap =>
    new Map(
      Object.entries(index).map(([name, e]) => [
        name,
        { shape: e.shape, data: floats(e.offset, size(e.shape)) },
      ]),
    );
  const { magic: _magic, weights, optimizer, bestWeights, ...rest } = header;
  return {
    ...rest,
    weights: tensors(weights),
    optimizer: { step: optimizer.step, m: tensors(optimizer.m), v: tensors(optimizer.v) },
    bestWeights: bestWeights && tensors(bestWeights),
  };
}
