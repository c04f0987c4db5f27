// The older `pytorch_model.bin`: since PyTorch 1.6 a zip holding `<name>/data.pkl` (the state dict, pickled with
// storages as persistent ids) and `<name>/data/<key>` (each storage's raw little-endian bytes); before 1.6 (the
// "legacy" format, still common on the Hub) a run of pickles — magic number, protocol, system info, the state
// dict, the storage keys — followed by each storage as an int64 element count and its bytes. The pickles are
// read by our own whitelisting unpickler (unpickle.ts), which never runs code.
import { unzipSync } from 'fflate';
import { DTYPE_BYTES, toFloat32 } from './dtypes';
import type { TensorMap } from './tensors';
import { unpickle, unpickleStateDict, type PickleValue, type TensorRef } from './unpickle';

export class PytorchBinError extends Error {}

/** The state dict in a torch.save zip as float32 tensors; `file` names the file in messages. */
export function readPytorchBin(bytes: Uint8Array, file = 'pytorch_model.bin'): TensorMap {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) {
    if (bytes[0] === 0x80 && bytes[2] === 0x8a) return readLegacy(bytes, file);
    throw new PytorchBinError(
      `${file} is neither a zip archive (torch.save since PyTorch 1.6) nor PyTorch's legacy format: ` +
        'it is not a PyTorch checkpoint',
    );
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new PytorchBinError(`${file} is a damaged zip archive (${(error as Error).message})`);
  }
  const pickleName = Object.keys(entries).find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName)
    throw new PytorchBinError(`${file} holds no <name>/data.pkl: it is not a torch.save archive`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const byteorder = entries[`${prefix}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new PytorchBinError(`${file} was saved on a big-endian machine, which WebTune does not read`);
  }

  const root = unpickleStateDict(entries[pickleName]!, `${file} (${pickleName})`);
  return materialise(root, file, (key) => entries[`${prefix}data/${key}`]);
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** PyTorch's format before 1.6 (torch.save(..., _use_new_zipfile_serialization=False)). */
function readLegacy(bytes: Uint8Array, file: string): TensorMap {
  const what = `${file} (legacy format)`;
  const magic = unpickle(bytes, what, 0);
  if (magic.value !== LEGACY_MAGIC)
    throw new PytorchBinError(`${file} does not start with PyTorch's magic number`);
  const protocol = unpickle(bytes, what, magic.end);
  if (protocol.value !== 1001)
    throw new PytorchBinError(`${file} has legacy protocol ${String(protocol.value)}, not 1001`);
  const info = unpickle(bytes, what, protocol.end);
  if (info.value instanceof Map && info.value.get('little_endian') === false) {
    throw new PytorchBinError(`${file} was saved on a big-endian machine, which WebTune does not read`);
  }
  const root = unpickle(bytes, what, info.end);
  const keys = unpickle(bytes, what, root.end);
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) {
    throw new PytorchBinError(`${file} has no list of storage keys after its state dict`);
  }
  // The storages follow in key order, each as an int64 element count and its bytes; the element size comes
  // from the storage type the tensors name.
  const dtypes = new Map<string, string>();
  collectStorages(root.value, dtypes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = new Map<string, Uint8Array>();
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const dtype = dtypes.get(key);
    if (!dtype) throw new PytorchBinError(`${file} stores data for storage ${key}, which no tensor uses`);
    if (pos + 8 > bytes.byteLength) throw new PytorchBinError(`${file} ends before storage ${key}`);
    const count = Number(view.getBigInt64(pos, true));
    const length = count * DTYPE_BYTES[dtype]!;
    if (count < 0 || pos + 8 + length > bytes.byteLength) {
      throw new PytorchBinError(`${file} ends inside storage ${key} (${count} ${dtype} announced)`);
    }
    raw.set(key, bytes.subarray(pos + 8, pos + 8 + length));
    pos += 8 + length;
  }
  return materialise(root.value, file, (key) => raw.get(key));
}

function collectStorages(value: PickleValue, out: Map<string, string>): void {
  if (value instanceof Map) for (const item of value.values()) collectStorages(item, out);
  else if (isTensorRef(value)) out.set(value.storage.key, value.storage.dtype);
}

/** The state dict's tensors as float32, reading each storage's bytes once through `storageBytes`. */
function materialise(
  root: PickleValue,
  file: string,
  storageBytes: (key: string) => Uint8Array | undefined,
): TensorMap {
  const stateDict = findStateDict(root);
  if (!stateDict) throw new PytorchBinError(`${file} does not hold a dict of tensors (a state dict)`);

  const storages = new Map<string, Float32Array>();
  const storage = (ref: TensorRef['storage']): Float32Array => {
    let data = storages.get(ref.key);
    if (!data) {
      const raw = storageBytes(ref.key);
      if (!raw) throw new PytorchBinError(`${file} lacks the storage ${ref.key} that a tensor uses`);
      const width = DTYPE_BYTES[ref.dtype]!;
      if (raw.byteLength % width) {
        throw new PytorchBinError(`${file}: storage ${ref.key} is not a whole number of ${ref.dtype}`);
      }
      data = toFloat32(raw, 0, raw.byteLength / width, ref.dtype);
      storages.set(ref.key, data);
    }
    return data;
  };

  const tensors: TensorMap = new Map();
  for (const [name, value] of stateDict) {
    if (typeof name !== 'string') continue;
    if (!isTensorRef(value)) continue; // e.g. a saved step counter: not a weight
    tensors.set(name, { shape: value.shape, data: gather(name, value, storage(value.storage), file) });
  }
  return tensors;
}

/** A checkpoint is the state dict itself, or (as some training scripts save) a dict with one under a key. */
function findStateDict(root: PickleValue): Map<PickleValue, PickleValue> | undefined {
  if (!(root instanceof Map)) return undefined;
  if ([...root.values()].some(isTensorRef)) return root;
  for (const key of ['state_dict', 'model_state_dict', 'model']) {
    const inner = root.get(key);
    if (inner instanceof Map && [...inner.values()].some(isTensorRef)) return inner;
  }
  return undefined;
}

function isTensorRef(value: PickleValue | undefined): value is TensorRef {
  return !!value && typeof value === 'object' && (value as TensorRef).kind === 'tensor';
}

/** The tensor's elements in row-major order, from any strided view of its storage. */
function gather(name: string, tensor: TensorRef, storage: Float32Array, file: string): Float32Array {
  const { shape, stride, offset } = tensor;
  const count = shape.reduce((a, b) => a * b, 1);
  let last = offset;
  for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!;
  if (count > 0 && (offset < 0 || last >= storage.length)) {
    throw new PytorchBinError(`${file}: tensor ${name} reaches outside its storage`);
  }
  let contiguous = true;
  for (let d = shape.length - 1, expected = 1; d >= 0; expected *= shape[d]!, d--) {
    if (shape[d]! > 1 && stride[d] !== expected) contiguous = false;
  }
  if (contiguous) return storage.slice(offset, offset + count);
  const out = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d]! * stride[d]!;
    out[i] = storage[at]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}
