// Writing a safetensors file byte-for-byte as the Rust crate (and so Python's save_file /
// save_pretrained) does: tensors sorted by descending dtype (the crate's enum order: I64 > F32 > I32)
// then by name, data laid out in that order, header = compact serde_json with `__metadata__` first,
// padded with spaces to a multiple of 8. Byte-identical output lets tests diff against golden files.

import { compareCodePoints, SAFETENSORS_DTYPE_BITS, type SafetensorsWritableDtype } from './safetensors_format.js';

export interface SafetensorsWriteTensor {
  /** Defaults to F32 for Float32Array and I32 for Int32Array. I64 widens int32 values (sign-extended). */
  dtype?: SafetensorsWritableDtype;
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

// Position of each writable dtype in the crate's `Dtype` enum, which the writer sorts on.
const DTYPE_RANK: Record<SafetensorsWritableDtype, number> = { I32: 0, F32: 1, I64: 2 };

/**
 * tensors: name → {dtype?, shape, data[numel]}; metadata: string map or null for none → file bytes.
 * Metadata keys are written sorted (deterministic; the crate's map order is unspecified beyond one key).
 */
export function serializeSafetensors(
  tensors: Record<string, SafetensorsWriteTensor>,
  metadata: Record<string, string> | null = { format: 'pt' },
): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => ({ name, dtype: checkTensor(name, t), tensor: t }));
  entries.sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || compareCodePoints(a.name, b.name));

  const parts: string[] = [];
  if (metadata) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',');
    parts.push(`"__metadata__":{${body}}`);
  }
  let offset = 0;
  for (const e of entries) {
    const size = (e.tensor.data.length * SAFETENSORS_DTYPE_BITS[e.dtype]) / 8;
    parts.push(
      `${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.tensor.shape.join(',')}],"data_offsets":[${offset},${offset + size}]}`,
    );
    offset += size;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let cursor = 8 + headerLength;
  for (const e of entries) cursor = writeData(out, cursor, e.dtype, e.tensor.data);
  return out;
}

function checkTensor(name: string, t: SafetensorsWriteTensor): SafetensorsWritableDtype {
  const dtype = t.dtype ?? (t.data instanceof Float32Array ? 'F32' : 'I32');
  const isFloat = t.data instanceof Float32Array;
  if ((dtype === 'F32') !== isFloat) {
    throw new Error(
      `serializeSafetensors: tensor "${name}": dtype ${dtype} does not match its ${t.data.constructor.name}`,
    );
  }
  if (!(dtype in DTYPE_RANK)) throw new Error(`serializeSafetensors: tensor "${name}": cannot write dtype ${dtype}`);
  const numel = t.shape.reduce((a, d) => {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`serializeSafetensors: tensor "${name}": shape [${t.shape.join(', ')}] has an invalid dimension`);
    }
    return a * d;
  }, 1);
  if (numel !== t.data.length) {
    throw new Error(
      `serializeSafetensors: tensor "${name}": shape [${t.shape.join(', ')}] holds ${numel} elements but data has ${t.data.length}`,
    );
  }
  return dtype;
}

// Writes through a byte view of the typed array so float bits (NaN payloads, -0) survive unchanged.
function writeData(
  out: Uint8Array,
  cursor: number,
  dtype: SafetensorsWritableDtype,
  data: Float32Array | Int32Array,
): number {
  if (dtype !== 'I64') {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), cursor);
    return cursor + data.byteLength;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < data.length; i++) view.setBigInt64(cursor + 8 * i, BigInt(data[i]!), true);
  return cursor + 8 * data.length;
}
