// Small helpers shared by every op: output allocation, 1-D dispatch geometry, kernel descriptors.
import { runtime } from '../runtime/device.js';
import type { Kernel } from '../runtime/runtime.js';
import { Storage } from '../tensor/storage.js';
import { Tensor, byteSize, type DType } from '../tensor/tensor.js';

/** A fresh, uninitialised tensor (its kernel writes every element). */
export function empty(shape: readonly number[], dtype: DType = 'f32'): Tensor {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return new Tensor([...shape], dtype, Storage.allocate(byteSize(dtype, n)));
}

/** Workgroup counts covering n invocations of `workgroupSize`, folded into y past the per-dimension limit. */
export function grid1d(n: number, workgroupSize = 256): [number, number] {
  const groups = Math.ceil(n / workgroupSize);
  const maxX = runtime().limits.maxComputeWorkgroupsPerDimension;
  if (groups <= maxX) return [groups, 1];
  const y = Math.ceil(groups / maxX);
  return [Math.ceil(groups / y), y];
}

/**
 * vec4s per workgroup of the elementwise vec4 kernels (256 lanes × VEC4S_PER_LANE = 4 in their WGSL). Why 4 per lane:
 * on a software adapter every invocation carries a fixed cost (index math, bounds check, setting up the per-lane
 * memory loop) that one vec4 does not amortise; lavapipe, [2048, 3072]: GELU forward ~70% → ~100% of a plain vec4
 * copy, and a copy itself ~170% (bench/README.md). Lane li takes vec4s base + li + 256·k, contiguous across lanes.
 */
export const VEC4S_PER_WORKGROUP = 1024;

/** Workgroups covering n4 vec4s at VEC4S_PER_WORKGROUP each (folded into y as in grid1d). */
export function grid1dVec4(n4: number): [number, number] {
  return grid1d(n4, VEC4S_PER_WORKGROUP);
}

const generatedSources = new Map<string, string>();
/** A kernel whose WGSL is generated (`make`), once per name: the name must encode everything `make` depends on. */
export function generatedKernel(name: string, make: () => string): Kernel {
  let code = generatedSources.get(name);
  if (!code) generatedSources.set(name, (code = make()));
  return { name, code };
}

/** Workgroup counts for one workgroup per row (rows folded into y as in grid1d). */
export function gridRows(rows: number): [number, number] {
  return grid1d(rows, 1);
}

export function kernel(name: string, code: string, constants?: Record<string, number>, entryPoint?: string): Kernel {
  return { name: entryPoint ? `${name}:${entryPoint}` : name, code, constants, entryPoint };
}

/**
 * A 16-byte placeholder for an optional binding the kernel does not use this time. Read-only and writable slots get
 * different buffers: one buffer bound both ways in a dispatch is a WebGPU usage conflict.
 */
const dummies = new WeakMap<object, { read: { buffer: GPUBuffer; size: number }; write: { buffer: GPUBuffer; size: number } }>();
export function dummyBinding(access: 'read' | 'write' = 'read'): { buffer: GPUBuffer; size: number } {
  const rt = runtime();
  let d = dummies.get(rt);
  if (!d) {
    const make = () => ({ buffer: rt.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE }), size: 16 });
    dummies.set(rt, (d = { read: make(), write: make() }));
  }
  return d[access];
}

/** Row-major element strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export const MAX_RANK = 8;

export function assertRank(op: string, shape: readonly number[]): void {
  if (shape.length > MAX_RANK) throw new Error(`${op}: rank ${shape.length} exceeds the supported ${MAX_RANK}`);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    t.assertAlive();
    if (t.dtype !== 'f32') throw new Error(`${op}: expected a float32 tensor, got ${t.dtype} [${t.shape}]`);
  }
}
