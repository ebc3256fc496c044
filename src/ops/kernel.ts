// Small helpers shared by every op: output allocation, 1-D dispatch geometry, shape checks.
import { runtime } from '../runtime/device.js';
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
 * vec4s per workgroup of the elementwise vec4 kernels (256 lanes × VEC4S_PER_LANE = 4 in their WGSL): one vec4 per
 * lane does not amortise a software adapter's per-invocation cost (bench/README.md, *Elementwise kernels*). Lane li
 * takes vec4s base + li + 256·k, contiguous across lanes.
 */
export const VEC4S_PER_WORKGROUP = 1024;

/** Workgroups covering n4 vec4s at VEC4S_PER_WORKGROUP each (folded into y as in grid1d). */
export function grid1dVec4(n4: number): [number, number] {
  return grid1d(n4, VEC4S_PER_WORKGROUP);
}

/** Workgroup counts for one workgroup per row (rows folded into y as in grid1d). */
export function gridRows(rows: number): [number, number] {
  return grid1d(rows, 1);
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
