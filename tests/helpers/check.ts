// Helpers for the tier-1 op tests: random inputs, NaN poisoning of the buffer pool, comparison against float64
// references with reported max errors, and finite-difference gradient checks on the float64 reference.
import { expect } from 'vitest';
import * as wt from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { nd, type NdArray } from '../../src/ops/reference/nd.js';
import { mulberry32 } from '../../src/util/random.js';

/** A per-file PRNG (mulberry32): fresh inputs per call, reproducible per run. */
export const makeRng = mulberry32;

let rng = makeRng(20240601);
export const reseed = (seed: number): void => void (rng = makeRng(seed));
export const random = (): number => rng();

/** n float32 values uniform in [lo, hi). */
export function uniform(n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** n float32 values ~ N(0, std²). */
export function normal(n: number, std = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(rng(), 1e-12);
    out[i] = std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
  }
  return out;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Float32 host data as a float64 reference array (exactly the values the GPU sees). */
export const ref = (shape: readonly number[], data: ArrayLike<number>): NdArray => nd(shape, data);

/**
 * Fills pool buffers of each byte size's bucket with NaN and returns them to the pool, so the next tensors of those
 * sizes are handed buffers full of NaN: any element a kernel forgets to write shows up as NaN.
 */
export function poison(...shapes: (readonly number[])[]): void {
  const made: Tensor[] = [];
  for (const s of shapes) for (let k = 0; k < 12; k++) made.push(wt.full([Math.max(1, sizeOf(s))], NaN));
  for (const t of made) t.dispose();
}

export interface Stats {
  maxAbs: number;
  maxRel: number;
}

export interface CompareOptions {
  /** Max allowed relative error (see `scale`). */
  rtol: number;
  /**
   * Denominator of the relative error per element: max(|ref|, scale) — a number, or an array (e.g. Σ|a||b| for a
   * matmul, Σ|x| for a sum: the scale float32 rounding errors are proportional to). Default 1e-3·max|ref|.
   */
  scale?: number | ArrayLike<number>;
  /** Also require max abs error ≤ atol. */
  atol?: number;
  quiet?: boolean;
}

/** Compares GPU values with the float64 reference; logs name, shape, max abs and max rel error; asserts. */
export function compare(
  name: string,
  got: ArrayLike<number>,
  want: NdArray | ArrayLike<number>,
  o: CompareOptions,
): Stats {
  const w = 'data' in want ? want.data : want;
  const shape = 'shape' in want ? want.shape : [w.length];
  expect(got.length, `${name}: element count`).toBe(w.length);
  let maxRef = 0;
  for (let i = 0; i < w.length; i++) maxRef = Math.max(maxRef, Math.abs(w[i]));
  const scale = o.scale ?? 1e-3 * maxRef;
  let maxAbs = 0;
  let maxRel = 0;
  let nan = 0;
  let worst = -1;
  for (let i = 0; i < w.length; i++) {
    const g = got[i];
    if (Number.isNaN(g)) {
      nan++;
      continue;
    }
    const err = Math.abs(g - w[i]);
    const s = typeof scale === 'number' ? scale : scale[i];
    const rel = err === 0 ? 0 : err / Math.max(Math.abs(w[i]), s, 1e-300);
    maxAbs = Math.max(maxAbs, err);
    if (rel > maxRel) {
      maxRel = rel;
      worst = i;
    }
  }
  if (!o.quiet)
    console.log(
      `${name.padEnd(44)} shape=[${shape.join(',')}]`.padEnd(72) +
        ` maxAbs=${maxAbs.toExponential(2)} maxRel=${maxRel.toExponential(2)}`,
    );
  expect(nan, `${name}: ${nan} NaN in the output (unwritten poisoned elements?)`).toBe(0);
  const detail = worst >= 0 ? ` (worst at ${worst}: got ${got[worst]}, want ${w[worst]})` : '';
  expect(maxRel, `${name}: max relative error${detail}`).toBeLessThanOrEqual(o.rtol);
  if (o.atol !== undefined) expect(maxAbs, `${name}: max abs error`).toBeLessThanOrEqual(o.atol);
  return { maxAbs, maxRel };
}

/** Reads a tensor back as a plain Float64Array. */
export async function read(t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.data());
}

export interface GradInput {
  shape: number[];
  data: Float32Array;
  /** false: a constant input (no gradient checked). */
  grad?: boolean;
}

export interface GradCheck {
  name: string;
  inputs: GradInput[];
  /** The op on the GPU (int tensors such as ids or masks captured from outside). */
  gpu: (xs: Tensor[]) => Tensor;
  /** The same op on the float64 reference. */
  reference: (xs: NdArray[]) => NdArray;
  /** Relative tolerance of the gradient (default 1e-4), relative to max(|fd|, 1e-3·max|fd|) per element. */
  rtol?: number;
  /** Central-difference step (default 1e-5·max(1, |x|)). */
  h?: number;
  /** Error scale for the relative error (see CompareOptions.scale; default 1e-3·max|fd|). */
  scale?: number;
  /** Upstream weights w (default N(0,1) of the output's shape). */
  weights?: Float32Array;
}

/**
 * Checks d(Σ w⊙f(x))/dx from autograd on the GPU against central differences of the float64 reference.
 * Returns the stats per checked input.
 */
export async function gradCheck(c: GradCheck): Promise<Stats[]> {
  const stats: Stats[] = [];
  await wt.tidyAsync(async () => {
    const ts = c.inputs.map((inp) => {
      const t = wt.tensor(inp.data, inp.shape);
      if (inp.grad !== false) t.requireGrad();
      return t;
    });
    const out = c.gpu(ts);
    const w = c.weights ?? normal(out.size);
    const wT = wt.tensor(w, out.shape);
    poison(...c.inputs.map((i) => i.shape), out.shape);
    wt.backward(out, wT);
    const xs = c.inputs.map((inp) => ref(inp.shape, inp.data));
    const objective = (): number => {
      const y = c.reference(xs).data;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += w[i] * y[i];
      return s;
    };
    for (let k = 0; k < c.inputs.length; k++) {
      if (c.inputs[k].grad === false) continue;
      const t = ts[k];
      expect(t.grad, `${c.name}: input ${k} got no gradient`).toBeDefined();
      expect([...t.grad!.shape], `${c.name}: grad ${k} shape`).toEqual(c.inputs[k].shape);
      const got = await read(t.grad!);
      const x = xs[k].data;
      const fd = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const x0 = x[i];
        const h = c.h ?? 1e-5 * Math.max(1, Math.abs(x0));
        x[i] = x0 + h;
        const fp = objective();
        x[i] = x0 - h;
        const fm = objective();
        x[i] = x0;
        fd[i] = (fp - fm) / (2 * h);
      }
      stats.push(
        compare(
          `grad ${c.name} d/dx${k}`,
          got,
          { shape: c.inputs[k].shape, data: fd },
          { rtol: c.rtol ?? 1e-4, scale: c.scale },
        ),
      );
      t.grad!.dispose();
    }
  });
  return stats;
}

/** Runs `op` after poisoning pool buckets of `outShape`, reads the result and compares it with the reference. */
export async function checkForward(
  name: string,
  outShape: readonly number[],
  op: () => Tensor,
  want: NdArray,
  o: CompareOptions,
): Promise<Stats> {
  return wt.tidyAsync(async () => {
    poison(outShape);
    const y = op();
    expect([...y.shape], `${name}: output shape`).toEqual(want.shape);
    return compare(name, await read(y), want, o);
  });
}
