// A minimal protobuf writer (proto3 wire format) and the ONNX messages the DistilBERT export needs
// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto), field numbers as onnx.proto.

/** Appends protobuf fields to a growing list of byte chunks (no copy of large payloads until finish()). */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  length = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const b = Uint8Array.from(this.scratch);
    this.chunks.push(b);
    this.length += b.length;
    this.scratch = [];
  }

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.scratch.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.scratch.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** int64 / int32 / enum field (varint; negatives as 64-bit two's complement). */
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  /** float field (fixed32). */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.scratch.push(...b);
    return this;
  }

  /** Length-delimited bytes. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.flushScratch();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** Embedded message. */
  message(field: number, m: ProtoWriter): this {
    this.tag(field, 2);
    m.flushScratch();
    this.varint(m.length);
    this.flushScratch();
    for (const c of m.chunks) this.chunks.push(c);
    this.length += m.length;
    return this;
  }

  /** Packed repeated varints. */
  packedInts(field: number, vs: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(v);
    inner.flushScratch();
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flushScratch();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** onnx.TensorProto.DataType */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

export type AttrValue = number | string | number[] | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
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
  /** numbers are fixed sizes; strings are symbolic dimensions. */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

function attribute(name: string, v: AttrValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  // AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    a.int(3, v).int(20, 2);
  } else if (typeof v === 'string') a.string(4, v).int(20, 3);
  else if (Array.isArray(v)) a.packedInts(8, v).int(20, 7);
  else a.float(2, v.float).int(20, 1);
  return a;
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length) w.packedInts(1, t.dims);
  const type = t.data instanceof Float32Array ? DataType.FLOAT : t.data instanceof BigInt64Array ? DataType.INT64 : DataType.INT32;
  w.int(2, type).string(8, t.name);
  // raw_data: little-endian bytes (this machine and every WebAssembly host are little-endian).
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Serialises a ModelProto (IR version 8, default-domain opset `opset`). */
export function encodeModel(graph: OnnxGraph, opset = 17, producer = 'webtune'): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => {
    const w = new ProtoWriter();
    for (const s of n.inputs) w.string(1, s);
    for (const s of n.outputs) w.string(2, s);
    w.string(3, n.name ?? `${n.op}_${i}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
    g.message(1, w);
  });
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensorProto(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  const m = new ProtoWriter().int(1, 8).string(2, producer).string(3, '0.1.0');
  m.message(7, g);
  m.message(8, new ProtoWriter().string(1, '').int(2, opset));
  return m.finish();
}
