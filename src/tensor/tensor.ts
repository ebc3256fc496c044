// Tensor: a shape, a dtype and a GPU storage, plus the autograd links (requiresGrad, grad, gradFn).
import { runtime } from '../runtime/device.js';
import { Storage } from './storage.js';
import { keep, track } from './scope.js';

/** f16: half floats, two per 32-bit word (device feature shader-f16 to compute on them; see ops/cast.ts). */
export type DType = 'f32' | 'i32' | 'f16';

/** GPU bytes of `size` elements of `dtype` (f16 pairs packed into whole 4-byte words). */
export function byteSize(dtype: DType, size: number): number {
  return dtype === 'f16' ? Math.ceil(size / 2) * 4 : size * 4;
}

/** One recorded op: its inputs and a backward that maps d(output) to d(inputs) (null where none is needed). */
export interface GradNode {
  op: string;
  inputs: Tensor[];
  backward(gradOutput: Tensor): (Tensor | null)[];
}

let liveTensors = 0;
let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  requiresGrad = false;
  grad: Tensor | undefined;
  gradFn: GradNode | undefined;
  /** Optional name (parameters carry their Hugging Face name). */
  name: string | undefined;
  /**
   * Bumped by whatever overwrites a parameter in place (AdamW, the model's uploads and loadStateDict); copies derived
   * from it (Linear's f16 weight) are remade when it moves. Code that writes a parameter's buffer directly bumps it too.
   */
  version = 0;
  private disposed = false;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly storage: Storage,
  ) {
    liveTensors++;
    track(this);
  }

  static liveCount(): number {
    return liveTensors;
  }

  get size(): number {
    return shapeSize(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get buffer(): GPUBuffer {
    this.assertAlive();
    return this.storage.buffer;
  }

  /** Storage binding for a kernel: the buffer and the bytes this tensor uses. */
  get binding(): { buffer: GPUBuffer; size: number } {
    this.assertAlive();
    return { buffer: this.storage.buffer, size: byteSize(this.dtype, this.size) };
  }

  /** Reads the values back to the host (flushes pending GPU work); f16 values come back widened to float32. */
  async data(): Promise<Float32Array | Int32Array> {
    this.assertAlive();
    const bytes = await runtime().read(this.storage.buffer, byteSize(this.dtype, this.size));
    if (this.dtype === 'f16') return halvesToFloats(new Uint16Array(bytes), this.size);
    return this.dtype === 'f32' ? new Float32Array(bytes) : new Int32Array(bytes);
  }

  /** Float values as a plain array (convenience for tests and logging). */
  async array(): Promise<number[]> {
    return Array.from(await this.data());
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item(): tensor has ${this.size} elements, expected 1`);
    return (await this.data())[0];
  }

  /** A view with another shape over the same storage (no copy); gradients flow through. */
  reshape(shape: readonly number[]): Tensor {
    this.assertAlive();
    const resolved = resolveShape(shape, this.size);
    const view = new Tensor(resolved, this.dtype, this.storage.retain());
    if (this.requiresGrad && gradEnabled()) {
      view.requiresGrad = true;
      const inShape = this.shape;
      view.gradFn = { op: 'reshape', inputs: [this], backward: (g) => [g.reshape(inShape)] };
    }
    return view;
  }

  /** Marks this tensor as a leaf whose gradient is accumulated into `.grad`. */
  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  /** Exempts this tensor from disposal by tidy scopes. */
  keep(): this {
    return keep(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    liveTensors--;
    this.gradFn = undefined;
    this.storage.release();
  }

  assertAlive(): void {
    if (this.disposed)
      throw new Error(`tensor${this.name ? ` "${this.name}"` : ''} [${this.shape}] was used after dispose()`);
  }

  toString(): string {
    return `Tensor(${this.dtype}[${this.shape.join(', ')}]${this.name ? ` ${this.name}` : ''})`;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function resolveShape(shape: readonly number[], size: number): number[] {
  const out = [...shape];
  const infer = out.indexOf(-1);
  if (infer >= 0) {
    const rest = shapeSize(out.filter((_, i) => i !== infer));
    out[infer] = rest === 0 ? 0 : size / rest;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(out) !== size) {
    throw new Error(`reshape: cannot view ${size} elements as [${shape.join(', ')}]`);
  }
  return out;
}

// Gradient recording switch (noGrad).
let gradDepth = 0;
export function gradEnabled(): boolean {
  return gradDepth === 0;
}

/** Runs fn without recording any op for autograd (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  gradDepth++;
  try {
    return fn();
  } finally {
    gradDepth--;
  }
}

/** IEEE binary16 bit patterns → float32 values (exact: every half is a float). */
export function halvesToFloats(bits: Uint16Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * frac * 2 ** -24
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * (1024 + frac) * 2 ** (exp - 25);
  }
  return out;
}
