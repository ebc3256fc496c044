// Parsing a safetensors file from bytes. Validation follows the Rust crate (`SafeTensors::read_metadata`
// + `Metadata::validate`): header length within the file and under 100 MB, UTF-8 JSON starting with
// `{`, entries sorted by offsets must tile the data region exactly from 0 to its end, and each
// span must equal numel × dtype size. We only add clearer messages: each names the file and tensor.

import { decodeUtf8 } from './files.js';
import { decodeTensorBytes } from './safetensors_decode.js';
import {
  SAFETENSORS_DTYPE_BITS,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsTensor,
} from './safetensors_format.js';

const MAX_HEADER_SIZE = 100_000_000;

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** bytes: a whole .safetensors file → its metadata and lazily decoded tensors (views, no copy). */
export function parseSafetensors(bytes: Uint8Array, fileName: string): SafetensorsFile {
  if (bytes.byteLength < 8) {
    throw new Error(
      `${fileName}: not a safetensors file: ${bytes.byteLength} bytes is shorter than the 8-byte header length`,
    );
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_SIZE)) {
    throw new Error(
      `${fileName}: header length ${headerLength} is larger than the 100000000-byte limit (not a safetensors file?)`,
    );
  }
  const n = Number(headerLength);
  if (8 + n > bytes.byteLength) {
    throw new Error(`${fileName}: header length ${n} exceeds file size ${bytes.byteLength} (truncated file?)`);
  }
  const header = parseHeaderJson(bytes.subarray(8, 8 + n), fileName);
  const { metadata, entries } = readHeaderEntries(header, fileName);
  const data = bytes.subarray(8 + n);
  checkCoverage(entries, data.byteLength, fileName);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) tensors.set(e.name, makeTensor(e, data, fileName));
  return { metadata, tensors };
}

function parseHeaderJson(headerBytes: Uint8Array, fileName: string): Record<string, unknown> {
  const text = decodeUtf8(headerBytes, `${fileName} (header)`);
  if (!text.startsWith('{')) throw new Error(`${fileName}: invalid safetensors header: it must start with '{'`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${fileName}: invalid JSON in safetensors header: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${fileName}: invalid safetensors header: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function readHeaderEntries(
  header: Record<string, unknown>,
  fileName: string,
): { metadata: Record<string, string> | undefined; entries: HeaderEntry[] } {
  let metadata: Record<string, string> | undefined;
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = readMetadata(raw, fileName);
      continue;
    }
    entries.push(readEntry(name, raw, fileName));
  }
  // The Rust crate sorts by (begin, end) before validating: header order is free, data order is not.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  return { metadata, entries };
}

function readMetadata(raw: unknown, fileName: string): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${fileName}: __metadata__ must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string')
      throw new Error(`${fileName}: __metadata__["${k}"] must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function readEntry(name: string, raw: unknown, fileName: string): HeaderEntry {
  const where = `${fileName}: tensor "${name}"`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${where}: header entry must be an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape)) throw new Error(`${where}: shape must be an array, got ${JSON.stringify(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || (d as number) < 0) {
      throw new Error(`${where}: shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`);
    }
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new Error(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  return { name, dtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

// Entries sorted by offset must tile [0, dataLength) with no gap and no overlap; this is what
// lets readers trust offsets without bounds checks, and what the crate calls "fully covered".
function checkCoverage(entries: HeaderEntry[], dataLength: number, fileName: string): void {
  let cursor = 0;
  let previous: string | undefined;
  for (const e of entries) {
    const where = `${fileName}: tensor "${e.name}"`;
    const span = `data_offsets [${e.begin}, ${e.end}]`;
    if (e.end < e.begin) throw new Error(`${where}: ${span} end before they begin`);
    if (e.end > dataLength) {
      throw new Error(`${where}: ${span} run past the end of the data region (${dataLength} bytes)`);
    }
    if (e.begin < cursor) {
      throw new Error(`${where}: ${span} overlap tensor "${previous}", which ends at ${cursor}`);
    }
    if (e.begin > cursor) {
      const after = previous === undefined ? 'the data region starts at 0' : `tensor "${previous}" ends at ${cursor}`;
      throw new Error(`${where}: ${span} leave a gap: ${after}; tensors must cover the data region contiguously`);
    }
    const expected = byteSize(e, where);
    if (e.end - e.begin !== expected) {
      throw new Error(
        `${where}: shape [${e.shape.join(', ')}] × ${e.dtype} needs ${expected} bytes but ${span} span ${e.end - e.begin}`,
      );
    }
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLength) {
    throw new Error(
      `${fileName}: data region is ${dataLength} bytes but the tensors cover only ${cursor}: the file has trailing bytes not owned by any tensor`,
    );
  }
}

function byteSize(e: HeaderEntry, where: string): number {
  let numel = 1;
  for (const d of e.shape) numel *= d;
  const bits = numel * SAFETENSORS_DTYPE_BITS[e.dtype];
  if (!Number.isSafeInteger(bits)) throw new Error(`${where}: shape [${e.shape.join(', ')}] is too large`);
  if (bits % 8 !== 0) throw new Error(`${where}: ${numel} elements of ${e.dtype} do not end on a byte boundary`);
  return bits / 8;
}

function makeTensor(e: HeaderEntry, data: Uint8Array, fileName: string): SafetensorsTensor {
  const where = `${fileName}: tensor "${e.name}"`;
  const bytes = (): Uint8Array => data.subarray(e.begin, e.end);
  return {
    dtype: e.dtype,
    shape: Object.freeze(e.shape.slice()),
    dataOffsets: Object.freeze([e.begin, e.end] as [number, number]),
    bytes,
    data: () => decodeTensorBytes(bytes(), e.dtype, where),
  };
}
