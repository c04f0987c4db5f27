// Serialises an OnnxGraph as an ONNX ModelProto with onnx-proto (protobufjs code generated from onnx.proto).
// Every message is encoded by the library; only the order is ours: protobuf lets a message's fields come in
// any order, so each initializer is its TensorProto without raw_data (encoded by onnx-proto) followed by the
// raw_data field (tag and length from protobufjs' Writer) and the bytes, produced at that moment. The graph
// and model frames need their lengths first, which the initializers' byte counts give without reading them.
import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';
import type { StreamedFile } from '../streamed-file';
import type { AttributeValue, OnnxGraph, OnnxValueInfo } from './graph';

const { onnx } = onnxProto;

/** Field numbers from onnx.proto. */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const LENGTH_DELIMITED = 2;

/** IR version 8 (ONNX 1.10+); opset 14 needs IR 7 or later. */
export const IR_VERSION = 8;

export interface ModelMetadata {
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export function serializeOnnx(graph: OnnxGraph, meta: ModelMetadata): StreamedFile {
  const graphHead = onnx.GraphProto.encode({
    name: graph.name,
    node: graph.nodes.map((n) => ({
      opType: n.opType,
      name: n.name,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attributes).map(([name, value]) => attribute(name, value)),
    })),
    input: graph.inputs.map(valueInfo),
    output: graph.outputs.map(valueInfo),
  }).finish();
  const tensors = graph.initializers.map((init) => {
    const head = onnx.TensorProto.encode({
      name: init.name,
      dims: init.dims,
      dataType: init.dataType,
    }).finish();
    const rawTag = frame(TENSOR_RAW_DATA, init.byteLength);
    const size = head.byteLength + rawTag.byteLength + init.byteLength;
    return { init, head, rawTag, size, tag: frame(GRAPH_INITIALIZER, size) };
  });
  const graphSize = tensors.reduce((a, t) => a + t.tag.byteLength + t.size, graphHead.byteLength);
  const modelHead = onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: meta.opsetVersion }],
    producerName: meta.producerName,
    producerVersion: meta.producerVersion,
    docString: meta.docString ?? '',
    metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
  }).finish();
  const graphTag = frame(MODEL_GRAPH, graphSize);
  const byteLength = modelHead.byteLength + graphTag.byteLength + graphSize;
  return {
    byteLength,
    *chunks() {
      yield modelHead;
      yield graphTag;
      yield graphHead;
      for (const t of tensors) {
        yield t.tag;
        yield t.head;
        yield t.rawTag;
        yield t.init.bytes();
      }
    },
  };
}

/** The tag and length of a length-delimited field. */
function frame(field: number, length: number): Uint8Array {
  return protobuf.Writer.create()
    .uint32((field << 3) | LENGTH_DELIMITED)
    .uint32(length)
    .finish();
}

function valueInfo(v: OnnxValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.dataType,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const Type = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for ${value}`);
    return { name, type: Type.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: Type.INTS, ints: value };
  if ('float' in value) return { name, type: Type.FLOAT, f: value.float };
  return { name, type: Type.FLOATS, floats: value.floats };
}
