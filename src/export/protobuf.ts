// A minimal protobuf writer (the proto3 wire format, write-only): varint, fixed32, length-delimited bytes,
// strings, embedded messages and packed varints; enough to serialise ONNX's messages (onnx_proto.ts).
// Large payloads (weights) are kept as chunks and copied once, in finish().

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Appends fields to a growing list of byte chunks. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  /** Small fields collect here and become one chunk when a large one (or finish) follows. */
  private scratch: number[] = [];
  private length = 0;

  /** Bytes written so far (finish() returns this many). */
  get byteLength(): number {
    return this.length + this.scratch.length;
  }

  /** int32 / int64 / enum field (negatives as 64-bit two's complement, as protobuf encodes them). */
  int(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
    return this;
  }

  /** float field (fixed32, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const byte of b) this.scratch.push(byte);
    return this;
  }

  /** Length-delimited bytes: kept by reference until finish(). */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(data.length);
    this.flushScratch();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** An embedded message (its chunks are adopted, not copied). */
  message(field: number, m: ProtoWriter): this {
    m.flushScratch();
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(m.length);
    this.flushScratch();
    this.chunks.push(...m.chunks);
    this.length += m.length;
    return this;
  }

  /** A packed repeated varint field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** The serialised message, in one buffer. */
  finish(): Uint8Array {
    this.flushScratch();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.scratch.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.scratch.push(Number(x));
  }

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const b = Uint8Array.from(this.scratch);
    this.chunks.push(b);
    this.length += b.length;
    this.scratch = [];
  }
}
