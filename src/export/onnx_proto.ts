// The ONNX messages an exported classifier needs (ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto), written with ProtoWriter. Field numbers and enum values are onnx.proto's
// (onnx/onnx.proto, IR version 8). Initializers carry their bytes as raw_data (little-endian), so a large
// weight is one length-delimited field, not a repeated float list.
import { ProtoWriter } from './protobuf.js';

/** onnx.TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

/** An attribute: an int, a string, a list of ints, or a float (written { float } so 1.0 stays a float). */
export type AttrValue = number | string | number[] | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

export interface OnnxValueInfo {
  name: string;
  elemType: DataTypeId;
  /** numbers are fixed sizes; strings are symbolic (dynamic) dimensions. */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface ModelInfo {
  /** Default-domain opset version the graph's operators follow. */
  opset: number;
  producerName: string;
  producerVersion: string;
}

const IR_VERSION = 8;
// protobuf messages are limited to 2 GiB; past that ONNX needs external data files, which we do not write.
const MAX_PROTO_BYTES = 2 ** 31 - 1;

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

function attribute(name: string, v: AttrValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}: ${v} is not an integer (write { float: ${v} })`);
    return a.int(3, v).int(20, ATTR_INT);
  }
  if (typeof v === 'string') return a.string(4, v).int(20, ATTR_STRING);
  if (Array.isArray(v)) return a.packedInts(8, v).int(20, ATTR_INTS);
  return a.float(2, v.float).int(20, ATTR_FLOAT);
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length) w.packedInts(1, t.dims);
  const type =
    t.data instanceof Float32Array ? DataType.FLOAT : t.data instanceof BigInt64Array ? DataType.INT64 : DataType.INT32;
  w.int(2, type).string(8, t.name);
  // raw_data is little-endian; every host that runs WebGPU (and every WebAssembly host) is little-endian.
  return w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape)
    shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function nodeProto(n: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const s of n.inputs) w.string(1, s);
  for (const s of n.outputs) w.string(2, s);
  w.string(3, `/${n.op}_${index}`).string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  return w;
}

/** graph → the serialised ModelProto (IR version 8, one default-domain opset import). */
export function encodeModel(graph: OnnxGraph, info: ModelInfo): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => g.message(1, nodeProto(n, i)));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensorProto(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  const m = new ProtoWriter().int(1, IR_VERSION).string(2, info.producerName).string(3, info.producerVersion);
  m.message(7, g);
  m.message(8, new ProtoWriter().string(1, '').int(2, info.opset));
  if (m.byteLength > MAX_PROTO_BYTES) {
    throw new Error(
      `the ONNX model would be ${(m.byteLength / 2 ** 30).toFixed(2)} GiB; a single .onnx file is limited to 2 GiB`,
    );
  }
  return m.finish();
}
