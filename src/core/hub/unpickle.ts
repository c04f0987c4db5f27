// A pickle reader for PyTorch state dicts that never runs code. Python's pickle calls any function the file
// names; this one knows a fixed list of globals (an OrderedDict, the tensor rebuild functions, storage types) and
// builds plain data from them. Any other global, and any opcode a state dict does not need, is refused with an
// error naming it, before anything else happens.

export class UnsafePickleError extends Error {}

/** A storage referenced by a persistent id: its bytes are the archive entry `data/<key>`. */
export interface StorageRef {
  kind: 'storage';
  dtype: string;
  key: string;
}

/** What `torch._utils._rebuild_tensor_v2` describes: a strided view of a storage. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** The result: dicts become Maps, tuples and lists arrays, tensors TensorRefs. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | TensorRef
  | StorageRef
  | Global;

class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified() {
    return `${this.module}.${this.name}`;
  }
}

// Tuples are frozen arrays, so that APPEND to one is refused as Python would.
type Tuple = readonly unknown[];
const tuple = (items: unknown[]): Tuple => Object.freeze(items);
const isTuple = (x: unknown): x is Tuple => Array.isArray(x) && Object.isFrozen(x);

const MARK = Symbol('mark');

/** Storage classes by name (as pickled by torch.save) and the dtype of their elements. */
const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const CALLABLE_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
]);

function allowedGlobal(module: string, name: string): boolean {
  const qualified = `${module}.${name}`;
  return CALLABLE_GLOBALS.has(qualified) || (module === 'torch' && name in STORAGE_DTYPES);
}

const OPCODE_NAMES: Record<number, string> = {
  0x63: 'GLOBAL',
  0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x50: 'PERSID',
  0x82: 'EXT1',
  0x49: 'INT',
  0x4c: 'LONG',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x46: 'FLOAT',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x64: 'DICT',
  0x6c: 'LIST',
  0x67: 'GET',
  0x70: 'PUT',
};

/** Reads a pickle made by torch.save's state-dict path; `what` names the file in error messages. */
export function unpickleStateDict(bytes: Uint8Array, what: string): PickleValue {
  return unpickle(bytes, what, 0).value;
}

/** One pickle starting at `start`; `end` is the offset just after its STOP (files may hold several). */
export function unpickle(
  bytes: Uint8Array,
  what: string,
  start: number,
): { value: PickleValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;

  const fail = (message: string): never => {
    throw new UnsafePickleError(`${what}: ${message} (at byte ${pos})`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.byteLength) fail('the pickle ends in the middle of an instruction');
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const value = view.getBigUint64(pos, true);
    pos += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('a length is too large');
    return Number(value);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const text = (n: number) => decoder.decode(take(n));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('a text argument has no end of line');
    const value = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return value;
  };
  const pop = () => (stack.length ? stack.pop() : fail('the pickle pops an empty stack'));
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('the pickle has no MARK where one is needed');
    const items = stack.slice(at + 1);
    stack.length = at;
    return items;
  };
  const top = () => (stack.length ? stack[stack.length - 1] : fail('the pickle reads an empty stack'));
  const global = (module: string, name: string) => {
    if (!allowedGlobal(module, name)) {
      fail(
        `refusing to load ${module}.${name}: a PyTorch state dict only needs tensors, storages and ` +
          'OrderedDict, so this file may run code when opened with Python',
      );
    }
    return new Global(module, name);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) fail('SETITEM on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2)
      (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || isTuple(target)) fail('APPEND on something that is not a list');
    (target as unknown[]).push(...items);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('the pickle protocol is newer than 5');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.includes(MARK)) fail('the pickle ends with a MARK on the stack');
        return { value: pop() as PickleValue, end: pos };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = u8();
        const raw = take(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
        if (n && raw[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
        stack.push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(value)
            : value,
        );
        break;
      }
      case 0x47: // BINFLOAT: big-endian double
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text(u8()));
        break;
      case 0x54: // BINSTRING
        stack.push(text(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) fail(`the pickle reads memo slot ${index}, which was never written`);
        stack.push(memo.get(index));
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x51: {
        // BINPERSID: ('storage', storage_type, key, location, numel)
        const pid = pop();
        stack.push(persistentStorage(pid, fail));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args, fail));
        break;
      }
      case 0x62: {
        // BUILD: sets attributes (e.g. a state dict's _metadata); the data needs none of them.
        pop();
        top();
        break;
      }
      default:
        fail(
          `opcode ${OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`} is not allowed in a ` +
            'PyTorch state dict',
        );
    }
  }
}

function persistentStorage(pid: unknown, fail: (message: string) => never): StorageRef {
  if (!isTuple(pid) || pid[0] !== 'storage') {
    return fail('a persistent id that is not a storage');
  }
  const [, type, key, , , viewMetadata] = pid;
  if (viewMetadata != null) return fail('a storage that is a view of another (PyTorch before 1.0)');
  if (!(type instanceof Global) || type.module !== 'torch' || !(type.name in STORAGE_DTYPES)) {
    return fail('a storage whose type is not a torch storage class');
  }
  if (typeof key !== 'string' && typeof key !== 'number') return fail('a storage key that is not a string');
  return { kind: 'storage', dtype: STORAGE_DTYPES[type.name]!, key: String(key) };
}

function reduce(callable: unknown, args: unknown, fail: (message: string) => never): unknown {
  if (!(callable instanceof Global)) return fail('REDUCE on something that is not an allowed global');
  if (!isTuple(args)) return fail(`${callable.qualified} is called without an argument tuple`);
  const a = args;
  switch (callable.qualified) {
    case 'collections.OrderedDict':
      if (a.length) fail('OrderedDict is called with arguments');
      return new Map();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, shape, stride] = a;
      const ints = (x: unknown) => isTuple(x) && x.every((n) => Number.isInteger(n));
      if (
        !isStorage(storage) ||
        !Number.isInteger(offset) ||
        !ints(shape) ||
        !ints(stride) ||
        (shape as Tuple).length !== (stride as Tuple).length
      ) {
        return fail('_rebuild_tensor_v2 is called with arguments that do not describe a tensor');
      }
      return {
        kind: 'tensor',
        storage,
        offset: offset as number,
        shape: [...(shape as Tuple)] as number[],
        stride: [...(stride as Tuple)] as number[],
      } satisfies TensorRef;
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      if (!isTensor(a[0])) fail(`${callable.qualified} is called on something that is not a tensor`);
      return a[0];
    default:
      return fail(`${callable.qualified} cannot be called`);
  }
}

function isStorage(x: unknown): x is StorageRef {
  return !!x && typeof x === 'object' && (x as StorageRef).kind === 'storage';
}

function isTensor(x: unknown): x is TensorRef {
  return !!x && typeof x === 'object' && (x as TensorRef).kind === 'tensor';
}
