// A small protobuf reader for tests: decodes an ONNX ModelProto's fields we check (opset, nodes with their op,
// domain and attributes, initializers with how their data is stored). Independent of src/export's writer.

type Field = bigint | Uint8Array | number;

/** The varint at bytes[pos] → [value, position after it]. */
function readVarint(bytes: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n; ; shift += 7n) {
    const b = bytes[pos++]!;
    v |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [v, pos];
  }
}

/** bytes → field number → values, in order (varint → bigint, length-delimited → bytes, fixed32 → float). */
function decode(bytes: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const varint = (): bigint => {
    let v: bigint;
    [v, pos] = readVarint(bytes, pos);
    return v;
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    const [field, wire] = [tag >> 3, tag & 7];
    let value: Field;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const n = Number(varint());
      value = bytes.subarray(pos, pos + n);
      pos += n;
    } else if (wire === 5) {
      value = view.getFloat32(pos, true);
      pos += 4;
    } else if (wire === 1) {
      value = view.getFloat64(pos, true);
      pos += 8;
    } else throw new Error(`unexpected wire type ${wire} at byte ${pos}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const text = (v: Field | undefined): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : '');
const int = (v: Field | undefined): number => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : NaN);

export interface ReadNode {
  op: string;
  domain: string;
  inputs: string[];
  attrs: Map<string, { i?: number; f?: number; s?: string }>;
}

export interface ReadInitializer {
  name: string;
  dataType: number;
  dims: number[];
  /** Bytes in raw_data (0 when the values sit in float_data / int64_data instead). */
  rawBytes: number;
  raw?: Uint8Array;
  /** Values in the typed repeated fields (float_data 4, int32_data 5, int64_data 7). */
  typedFields: number;
}

export interface ReadModel {
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  nodes: ReadNode[];
  initializers: ReadInitializer[];
}

function packedInts(values: Field[] | undefined): number[] {
  const out: number[] = [];
  for (const v of values ?? []) {
    if (typeof v === 'bigint') out.push(int(v));
    else if (v instanceof Uint8Array) {
      for (let pos = 0, x: bigint; pos < v.length;) {
        [x, pos] = readVarint(v, pos);
        out.push(int(x));
      }
    }
  }
  return out;
}

export function readOnnxModel(bytes: Uint8Array): ReadModel {
  const model = decode(bytes);
  const graph = decode(model.get(7)![0] as Uint8Array);
  const nodes = (graph.get(1) ?? []).map((b): ReadNode => {
    const n = decode(b as Uint8Array);
    const attrs = new Map<string, { i?: number; f?: number; s?: string }>();
    for (const a of n.get(5) ?? []) {
      const f = decode(a as Uint8Array);
      attrs.set(text(f.get(1)?.[0]), {
        i: f.has(3) ? int(f.get(3)![0]) : undefined,
        f: f.get(2)?.[0] as number | undefined,
        s: f.has(4) ? text(f.get(4)![0]) : undefined,
      });
    }
    return { op: text(n.get(4)?.[0]), domain: text(n.get(7)?.[0]), inputs: (n.get(1) ?? []).map(text), attrs };
  });
  const initializers = (graph.get(5) ?? []).map((b): ReadInitializer => {
    const t = decode(b as Uint8Array);
    const raw = t.get(9)?.[0];
    return {
      name: text(t.get(8)?.[0]),
      dataType: int(t.get(2)?.[0]),
      dims: packedInts(t.get(1)),
      rawBytes: raw instanceof Uint8Array ? raw.length : 0,
      raw: raw instanceof Uint8Array ? raw : undefined,
      typedFields: [4, 5, 7].reduce((n, f) => n + (t.get(f)?.length ?? 0), 0),
    };
  });
  const opsets = (model.get(8) ?? []).map((b) => {
    const o = decode(b as Uint8Array);
    return { domain: text(o.get(1)?.[0]), version: int(o.get(2)?.[0]) };
  });
  return { irVersion: int(model.get(1)?.[0]), opsets, nodes, initializers };
}
