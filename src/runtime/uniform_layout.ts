// A kernel's uniform struct laid out by WGSL's rules for the uniform address space, and packed by field name. Why
// here and not at each call site: a field packed at the wrong offset is not an error anywhere, only wrong numbers.
import { KernelError } from './errors.js';

/** Scalar types a uniform field may have, alone, as a vector, or as the element type of an array of vectors. */
export type UniformScalar = 'u32' | 'i32' | 'f32';
export type UniformVector = `vec${2 | 3 | 4}<${UniformScalar}>`;
/** A field's WGSL type. Arrays in the uniform address space need a 16-byte element stride: vec4s (or vec3s). */
export type UniformType = UniformScalar | UniformVector | `array<vec${3 | 4}<${UniformScalar}>, ${number}>`;
/** A scalar field takes a number; a vector or array field an array of numbers (an array's tail is zero-filled). */
export type UniformValue = number | readonly number[];

interface Field {
  name: string;
  type: string;
  scalar: UniformScalar;
  offset: number;
  /** Components the field holds (1 for a scalar). */
  count: number;
  /** Bytes from one component to the next: 4, or 16 between the vec3 elements of an array. */
  components: number;
  stride: number;
}

/** The WGSL uniform layout of a struct whose fields are given in declaration order. */
export class UniformLayout {
  readonly fields: readonly Field[];
  /** The struct's size (its last field's end, rounded up to its alignment). */
  readonly size: number;

  constructor(
    readonly kernel: string,
    declaration: Readonly<Record<string, UniformType>>,
  ) {
    const fields: Field[] = [];
    let at = 0;
    let structAlign = 4;
    for (const [name, type] of Object.entries(declaration)) {
      const t = parseType(kernel, name, type);
      at = roundUp(at, t.align);
      structAlign = Math.max(structAlign, t.align);
      fields.push({
        name,
        type,
        scalar: t.scalar,
        offset: at,
        count: t.count,
        components: t.components,
        stride: t.stride,
      });
      at += t.size;
    }
    this.fields = fields;
    this.size = roundUp(at, structAlign);
  }

  /**
   * Writes `values` (every field, by name) at `offset` of `view`. Unknown or missing fields, values of the wrong
   * kind and integers out of their type's range are errors naming the kernel and the field.
   */
  write(view: DataView, offset: number, values: Readonly<Record<string, UniformValue>>): void {
    let given = 0;
    for (const f of this.fields) {
      const v = values[f.name];
      if (v === undefined) throw new KernelError(this.kernel, `uniform "${f.name}" (${f.type}) is not given`);
      given++;
      if (f.count === 1) {
        if (typeof v !== 'number')
          throw new KernelError(this.kernel, `uniform "${f.name}" (${f.type}) takes a number, got an array`);
        setScalar(view, offset + f.offset, f.scalar, v, this.kernel, f.name);
        continue;
      }
      if (typeof v === 'number')
        throw new KernelError(this.kernel, `uniform "${f.name}" (${f.type}) takes an array of numbers`);
      if (v.length > f.count)
        throw new KernelError(this.kernel, `uniform "${f.name}" (${f.type}) holds ${f.count} values, got ${v.length}`);
      for (let i = 0; i < f.count; i++) {
        const at = offset + f.offset + Math.floor(i / f.components) * f.stride + (i % f.components) * 4;
        setScalar(view, at, f.scalar, i < v.length ? v[i] : 0, this.kernel, f.name);
      }
    }
    if (given !== Object.keys(values).length) {
      const unknown = Object.keys(values).filter((k) => !this.fields.some((f) => f.name === k));
      throw new KernelError(
        this.kernel,
        `unknown uniform ${unknown.map((k) => `"${k}"`).join(', ')} (its struct has ${this.fields.map((f) => f.name).join(', ')})`,
      );
    }
  }
}

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** Alignment and size of a field type (WGSL's uniform address space), its scalar, and how its components lie. */
function parseType(
  kernel: string,
  name: string,
  type: string,
): { scalar: UniformScalar; align: number; size: number; count: number; components: number; stride: number } {
  const bad = (): never => {
    throw new KernelError(
      kernel,
      `uniform "${name}" has type "${type}"; expected u32, i32, f32, vecN<…> or array<vec4<…>, N>`,
    );
  };
  const compact = type.replace(/\s+/g, '');
  let m = /^(u32|i32|f32)$/.exec(compact);
  if (m) return { scalar: m[1] as UniformScalar, align: 4, size: 4, count: 1, components: 1, stride: 4 };
  m = /^vec([234])<(u32|i32|f32)>$/.exec(compact);
  if (m) {
    const n = Number(m[1]);
    return {
      scalar: m[2] as UniformScalar,
      align: n === 2 ? 8 : 16,
      size: 4 * n,
      count: n,
      components: n,
      stride: 4 * n,
    };
  }
  m = /^array<vec([34])<(u32|i32|f32)>,(\d+)>$/.exec(compact);
  if (!m) return bad();
  const n = Number(m[1]);
  const length = Number(m[3]);
  if (length < 1) return bad();
  // Element stride 16 (vec3: 12 bytes rounded to its 16-byte alignment).
  return { scalar: m[2] as UniformScalar, align: 16, size: 16 * length, count: n * length, components: n, stride: 16 };
}

function setScalar(view: DataView, at: number, scalar: UniformScalar, v: number, kernel: string, name: string): void {
  if (scalar === 'f32') {
    view.setFloat32(at, v, true);
    return;
  }
  const ok = scalar === 'u32' ? v === v >>> 0 : v === (v | 0);
  if (!ok) throw new KernelError(kernel, `uniform "${name}" is ${scalar}, got ${v}`);
  if (scalar === 'u32') view.setUint32(at, v, true);
  else view.setInt32(at, v, true);
}
