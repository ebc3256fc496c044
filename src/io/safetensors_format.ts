// The vocabulary of the safetensors format: dtypes, their sizes, and the shapes of parsed files.
// Kept apart from the reader and writer so both agree on one table (the Rust crate's `Dtype`).

/** Every dtype the safetensors crate (0.8) can write; `size` is bytes per element (F4 and F6 pack below a byte). */
export const SAFETENSORS_DTYPE_BITS = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BITS;

/** The dtypes `serializeSafetensors` writes: what our tensors hold (F32) and what index tensors may need. */
export type SafetensorsWritableDtype = 'F32' | 'I32' | 'I64';

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_BITS, value);
}

/** One tensor of a parsed file. `data()` decodes on demand, so parsing a large checkpoint copies nothing. */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Offsets into the data region, as written in the header: [begin, end). */
  readonly dataOffsets: readonly [number, number];
  /** The tensor's raw little-endian bytes (a view into the file buffer; do not mutate). */
  bytes(): Uint8Array;
  /**
   * A fresh, 4-byte-aligned copy: floats (F16/BF16/F32/F64) as Float32Array, integers and BOOL as
   * Int32Array (64-bit and U32 values outside the int32 range are an error naming the tensor).
   */
  data(): Float32Array | Int32Array;
}

export interface SafetensorsFile {
  /** The `__metadata__` string map, or undefined when the header has none. */
  readonly metadata: Record<string, string> | undefined;
  /** Tensors in data order (ascending offsets), which is also the writer's order. */
  readonly tensors: Map<string, SafetensorsTensor>;
}

/**
 * Order of Rust `String`s (UTF-8 bytewise) = order of code points. JS `<` compares UTF-16 units, which
 * disagrees for astral characters against U+E000..U+FFFF, so names are compared by code point here.
 */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}
