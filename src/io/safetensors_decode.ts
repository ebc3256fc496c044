// Decoding one tensor's little-endian bytes into the two array kinds the engine uses:
// Float32Array for every float dtype, Int32Array for every integer dtype (token ids, labels).
// Bytes may sit at any offset in the file buffer, so we always copy into a fresh aligned buffer
// before viewing them as 32-bit words (typed-array views require aligned byte offsets).

import type { SafetensorsDtype } from './safetensors_format.js';

// Every WebGPU platform is little-endian; a big-endian host would read garbage, so say so instead.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** bytes: [n · size(dtype)] → [n] values; `where` names the file and tensor in errors. */
export function decodeTensorBytes(
  bytes: Uint8Array,
  dtype: SafetensorsDtype,
  where: string,
): Float32Array | Int32Array {
  if (!LITTLE_ENDIAN) throw new Error(`${where}: safetensors decoding needs a little-endian host`);
  switch (dtype) {
    case 'F32':
      return new Float32Array(alignedCopy(bytes).buffer);
    case 'I32':
      return new Int32Array(alignedCopy(bytes).buffer);
    case 'F16':
      return mapU16(bytes, f16BitsToFloat);
    case 'BF16':
      // bf16 is the top half of an f32, so widening is exact: shift the bits up.
      return bf16ToFloat32(bytes);
    case 'F64':
      // Rounds to nearest float32, as torch's copy into a float32 parameter does.
      return Float32Array.from(new Float64Array(alignedCopy(bytes).buffer));
    case 'I64':
    case 'U64':
      return decode64BitIntegers(bytes, dtype === 'U64', where);
    case 'U32':
      return checkedUint32(new Uint32Array(alignedCopy(bytes).buffer), where);
    case 'I16':
      return Int32Array.from(new Int16Array(alignedCopy(bytes).buffer));
    case 'U16':
      return Int32Array.from(new Uint16Array(alignedCopy(bytes).buffer));
    case 'I8':
      return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(bytes);
    default:
      throw new Error(
        `${where}: decoding dtype ${dtype} is not supported (only F32, F16, BF16, F64 and integer dtypes)`,
      );
  }
}

/** IEEE half bits → number (exact: every f16 is representable in f32), subnormals and inf/NaN included. */
export function f16BitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function alignedCopy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

function mapU16(bytes: Uint8Array, f: (h: number) => number): Float32Array {
  const halves = new Uint16Array(alignedCopy(bytes).buffer);
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = f(halves[i]!);
  return out;
}

// int64 ids and labels (what torch saves for LongTensors) must fit int32 for WebGPU; a value that
// does not is a corrupt or foreign file, so it is an error rather than a silent wrap.
function decode64BitIntegers(bytes: Uint8Array, unsigned: boolean, where: string): Int32Array {
  const words = unsigned ? new BigUint64Array(alignedCopy(bytes).buffer) : new BigInt64Array(alignedCopy(bytes).buffer);
  const out = new Int32Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const v = words[i]!;
    if (v < -2147483648n || v > 2147483647n) {
      throw new Error(`${where}: element ${i} = ${v} does not fit in int32`);
    }
    out[i] = Number(v);
  }
  return out;
}

function checkedUint32(values: Uint32Array, where: string): Int32Array {
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > 2147483647) throw new Error(`${where}: element ${i} = ${values[i]} does not fit in int32`);
  }
  return new Int32Array(values.buffer);
}

function bf16ToFloat32(bytes: Uint8Array): Float32Array {
  const halves = new Uint16Array(alignedCopy(bytes).buffer);
  const words = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) words[i] = halves[i]! << 16;
  return new Float32Array(words.buffer);
}
