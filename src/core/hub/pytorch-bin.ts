// The older `pytorch_model.bin`: since PyTorch 1.6 a zip holding `<name>/data.pkl` (the state dict, pickled with
// storages as persistent ids) and `<name>/data/<key>` (each storage's raw little-endian bytes). The pickle is
// read by our own whitelisting unpickler (unpickle.ts), which never runs code.
import { unzipSync } from 'fflate';
import { DTYPE_BYTES, toFloat32 } from './dtypes';
import type { TensorMap } from './tensors';
import { unpickleStateDict, type PickleValue, type TensorRef } from './unpickle';

export class PytorchBinError extends Error {}

/** The state dict in a torch.save zip as float32 tensors; `file` names the file in messages. */
export function readPytorchBin(bytes: Uint8Array, file = 'pytorch_model.bin'): TensorMap {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) {
    throw new PytorchBinError(
      `${file} is not a zip archive: it is in PyTorch's legacy (pre-1.6) format or not a PyTorch file at all. ` +
        'WebTune reads model.safetensors or the zip format of torch.save.',
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
  const stateDict = findStateDict(root);
  if (!stateDict) throw new PytorchBinError(`${file} does not hold a dict of tensors (a state dict)`);

  const storages = new Map<string, Float32Array>();
  const storage = (ref: TensorRef['storage']): Float32Array => {
    let data = storages.get(ref.key);
    if (!data) {
      const raw = entries[`${prefix}data/${ref.key}`];
      if (!raw) throw new PytorchBinError(`${file} lacks the storage data/${ref.key} that a tensor uses`);
      const width = DTYPE_BYTES[ref.dtype]!;
      if (raw.byteLength % width) {
        throw new PytorchBinError(`${file}: storage data/${ref.key} is not a whole number of ${ref.dtype}`);
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
