// A small ONNX graph under construction: nodes in order, named values, and initializers whose bytes are only
// produced when the file is written (a view on the weight already in memory, or a transient conversion), so a
// large model is never held twice. The protobuf messages themselves come from onnx-proto (serialize.ts).
import type { HostTensor } from '../../hub/tensors';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type AttributeValue = number | number[] | { float: number } | { floats: number[] };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

/** A graph input or output: its element type and its dimensions, numbers or symbolic names. */
export interface OnnxValueInfo {
  name: string;
  dataType: DataTypeCode;
  dims: (number | string)[];
}

export interface OnnxInitializer {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  byteLength: number;
  /** The little-endian raw data; called once, while the file is written. */
  bytes(): Uint8Array;
}

export class OnnxGraphError extends Error {}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const BYTES_PER_ELEMENT: Record<DataTypeCode, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8 };

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, dataType: DataTypeCode, dims: (number | string)[]): string {
    this.claim(name);
    this.inputs.push({ name, dataType, dims });
    return name;
  }

  /** Declares `value` (the name of an existing value) as a graph output under `name` (via Identity if needed). */
  output(value: string, name: string, dataType: DataTypeCode, dims: (number | string)[]): void {
    const out = value === name ? value : this.op('Identity', [value], {}, name);
    this.outputs.push({ name: out, dataType, dims });
  }

  /**
   * Adds a node and returns its (first) output's name. `hint` names the node and its output after the layer
   * it belongs to, which keeps the graph readable in Netron and in error messages.
   */
  op(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    hint?: string,
  ): string {
    return this.opMulti(opType, inputs, 1, attributes, hint)[0]!;
  }

  opMulti(
    opType: string,
    inputs: string[],
    outputCount: number,
    attributes: Record<string, AttributeValue> = {},
    hint?: string,
  ): string[] {
    const base = this.fresh(hint ?? opType);
    const outputs = Array.from({ length: outputCount }, (_, i) =>
      outputCount === 1 ? base : this.fresh(`${base}_${i}`),
    );
    this.nodes.push({ opType, name: `${base}/${opType}`, inputs, outputs, attributes });
    return outputs;
  }

  /** A float32 weight from the checkpoint, written straight from its array (no copy on little-endian hosts). */
  weight(name: string, tensor: HostTensor, dims: number[] = tensor.shape): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new OnnxGraphError(
        `${name}: ${tensor.data.length} values cannot have shape [${dims.join(', ')}]`,
      );
    }
    return this.initializer(name, DataType.FLOAT, dims, () => float32Bytes(tensor.data));
  }

  /** An initializer whose raw data `make` produces when the file is written. */
  initializer(name: string, dataType: DataTypeCode, dims: number[], make: () => Uint8Array): string {
    this.claim(name);
    const byteLength = dims.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dataType];
    this.initializers.push({
      name,
      dataType,
      dims,
      byteLength,
      bytes: () => {
        const bytes = make();
        if (bytes.byteLength !== byteLength) {
          throw new OnnxGraphError(`${name}: produced ${bytes.byteLength} bytes, expected ${byteLength}`);
        }
        return bytes;
      },
    });
    return name;
  }

  /** A small float32 constant (shared between nodes that use the same values). */
  floats(values: number[], dims: number[] = values.length === 1 ? [] : [values.length]): string {
    return this.constant('f', DataType.FLOAT, values, dims, () => float32Bytes(Float32Array.from(values)));
  }

  /** A 0-d int64 constant (an index, an axis). */
  int64Scalar(value: number): string {
    return this.int64s([value], []);
  }

  /** A small int64 constant (shapes, axes, slice bounds): a vector unless `dims` says otherwise. */
  int64s(values: number[], dims: number[] = [values.length]): string {
    return this.constant('i', DataType.INT64, values, dims, () => {
      const out = new Uint8Array(values.length * 8);
      const view = new DataView(out.buffer);
      values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
      return out;
    });
  }

  private constant(
    kind: string,
    dataType: DataTypeCode,
    values: number[],
    dims: number[],
    make: () => Uint8Array,
  ): string {
    const key = `${kind}:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh(`const_${kind}`);
    this.names.delete(name); // fresh() reserved it; initializer() claims it
    this.initializer(name, dataType, dims, make);
    this.constants.set(key, name);
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new OnnxGraphError(`the value name ${name} is used twice`);
    this.names.add(name);
  }

  private fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }
}

/** The little-endian bytes of a float32 array: a view when the host is little-endian, a converted copy otherwise. */
export function float32Bytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}
