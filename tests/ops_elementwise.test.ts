// Tier-1 op tests: elementwise ops (broadcasting binary, scalar, unary, GELU) vs float64 references, with NaN
// poisoning of the pool and finite-difference checks of every backward.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import * as R from '../src/ops/reference/elementwise.js';
import {
  checkForward,
  compare,
  gradCheck,
  normal,
  poison,
  read,
  ref,
  reseed,
  sizeOf,
  uniform,
} from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(101);
});

/** Values in ±[lo, hi]: random sign, magnitude away from zero (divisors, kinks). */
function awayFromZero(n: number, lo: number, hi: number): Float32Array {
  const m = uniform(n, lo, hi);
  const s = uniform(n, -1, 1);
  return m.map((v, i) => (s[i] < 0 ? -v : v));
}

const BINARY = { add: wt.add, sub: wt.sub, mul: wt.mul, div: wt.div } as const;
type BinaryName = keyof typeof BINARY;

describe('binary ops with broadcasting', () => {
  const pairs: [number[], number[]][] = [
    [[1], [1]],
    [[7], [7]],
    [[1000], [1000]],
    [
      [33, 129],
      [33, 129],
    ],
    [
      [16, 48],
      [16, 48],
    ], // size % 4 == 0: the vec4 same-shape entry point
    [
      [3, 5, 8],
      [5, 8],
    ], // b a trailing block of a (position embeddings): the vec4 suffix entry point
    [
      [37, 132],
      [37, 132],
    ], // vec4 same-shape over 1221 vec4s: a second workgroup of 4 vec4s per lane, part-filled
    [
      [9, 33, 20],
      [33, 20],
    ], // vec4 suffix over 1485 vec4s, b's period (165) not a divisor of the workgroup's 1024
    [
      [2, 3, 12],
      [1, 1, 12],
    ], // …with leading 1s
    [
      [3, 5, 8],
      [1, 5, 1],
    ], // not a trailing block: the generic kernel
    [
      [7, 1, 33],
      [129, 1],
    ], // [a,1,c] with [b,1] → [a,b,c]
    [[1000], [1]],
    [[7, 33], [33]],
    [[1], [7, 129]],
    [
      [2, 7, 1],
      [1, 1, 33],
    ],
    [
      [2, 1, 3, 1, 5],
      [3, 4, 1],
    ], // rank 5
  ];
  it('vec4 entry points are taken where the shapes allow (same shape; b a trailing block of a)', () => {
    const names: string[] = [];
    const rt = wt.runtime();
    rt.profiler = { onDispatch: (name) => void names.push(name) };
    try {
      wt.tidy(() => {
        const a = wt.zeros([3, 5, 8]);
        wt.add(a, wt.zeros([3, 5, 8]));
        wt.add(a, wt.zeros([5, 8]));
        wt.add(a, wt.zeros([1, 5, 1]));
        wt.add(wt.zeros([3, 5, 7]), wt.zeros([5, 7]));
        return undefined;
      });
    } finally {
      rt.profiler = undefined;
    }
    expect(names.filter((n) => n.startsWith('binary'))).toEqual(['binary:same4', 'binary:suffix4', 'binary', 'binary']);
  });
  for (const op of Object.keys(BINARY) as BinaryName[]) {
    it(`${op} forward`, async () => {
      for (const [sa, sb] of pairs) {
        const a = uniform(sizeOf(sa), -2, 2);
        const b = op === 'div' ? awayFromZero(sizeOf(sb), 0.5, 2) : uniform(sizeOf(sb), -2, 2);
        const want = R.binary(op, ref(sa, a), ref(sb, b));
        await checkForward(
          `${op} [${sa}]⊕[${sb}]`,
          want.shape,
          () => BINARY[op](wt.tensor(a, sa), wt.tensor(b, sb)),
          want,
          { rtol: 1e-6, scale: 1e-30 },
        );
      }
    });
    it(`${op} backward (finite differences, grads reduced to the broadcast shape)`, async () => {
      const gradPairs: [number[], number[]][] = [
        [
          [3, 1, 5],
          [4, 1],
        ],
        [[7, 5], [5]],
        [[1], [6]],
        [
          [2, 3],
          [2, 3],
        ],
      ];
      for (const [sa, sb] of gradPairs) {
        await gradCheck({
          name: `${op} [${sa}]⊕[${sb}]`,
          inputs: [
            { shape: sa, data: uniform(sizeOf(sa), -2, 2) },
            { shape: sb, data: op === 'div' ? awayFromZero(sizeOf(sb), 0.5, 2) : uniform(sizeOf(sb), -2, 2) },
          ],
          gpu: ([x, y]) => BINARY[op](x, y),
          reference: ([x, y]) => R.binary(op, x, y),
        });
      }
    });
  }
});

describe('scalar ops', () => {
  const cases = [
    { name: 'affine(x, -1.7, 0.3)', f: (x: wt.Tensor) => wt.affine(x, -1.7, 0.3), s: -1.7, c: 0.3 },
    { name: 'mulScalar(x, 0.125)', f: (x: wt.Tensor) => wt.mulScalar(x, 0.125), s: 0.125, c: 0 },
    { name: 'addScalar(x, 2.5)', f: (x: wt.Tensor) => wt.addScalar(x, 2.5), s: 1, c: 2.5 },
  ];
  it('forward', async () => {
    for (const cs of cases) {
      for (const shape of [[1], [7], [33], [129], [1000], [7, 129]]) {
        const x = uniform(sizeOf(shape), -3, 3);
        // The kernel computes in float32 with float32 constants: compare with the same constants.
        const want = R.affine(ref(shape, x), Math.fround(cs.s), Math.fround(cs.c));
        // a·x + b cancels: float32 error is relative to |a·x| + |b|.
        const scale = x.map((v) => Math.abs(cs.s * v) + Math.abs(cs.c));
        await checkForward(`${cs.name} [${shape}]`, shape, () => cs.f(wt.tensor(x, shape)), want, {
          rtol: 1e-6,
          scale,
        });
      }
    }
  });
  it('backward', async () => {
    for (const cs of cases) {
      await gradCheck({
        name: cs.name,
        inputs: [{ shape: [3, 7], data: uniform(21, -3, 3) }],
        gpu: ([x]) => cs.f(x),
        reference: ([x]) => R.affine(x, Math.fround(cs.s), Math.fround(cs.c)),
      });
    }
  });
});

type UnaryName = R.UnaryName;
const UNARY: Record<
  UnaryName,
  { f: (x: wt.Tensor) => wt.Tensor; data: (n: number) => Float32Array; scale?: number; rtol?: number }
> = {
  neg: { f: wt.neg, data: (n) => uniform(n, -5, 5) },
  exp: { f: wt.exp, data: (n) => uniform(n, -10, 10) },
  // WGSL's log is specified with absolute error 2^-21 on [0.5, 2]: judge it on the absolute scale there.
  log: { f: wt.log, data: (n) => uniform(n, 0.05, 20), scale: 1 },
  sqrt: { f: wt.sqrt, data: (n) => uniform(n, 0.01, 100) },
  rsqrt: { f: wt.rsqrt, data: (n) => uniform(n, 0.01, 100) },
  tanh: { f: wt.tanh, data: (n) => uniform(n, -6, 6), scale: 1 },
  relu: { f: wt.relu, data: (n) => awayFromZero(n, 0.01, 5) },
  gelu: { f: wt.gelu, data: (n) => uniform(n, -6, 6), scale: 1 },
  sigmoid: { f: wt.sigmoid, data: (n) => uniform(n, -8, 8), scale: 1e-3 },
  square: { f: wt.square, data: (n) => uniform(n, -5, 5) },
};

describe('unary ops', () => {
  for (const name of Object.keys(UNARY) as UnaryName[]) {
    const u = UNARY[name];
    it(`${name} forward`, async () => {
      for (const shape of [[1], [7], [33], [129], [1000], [7, 129]]) {
        const x = u.data(sizeOf(shape));
        await checkForward(`${name} [${shape}]`, shape, () => u.f(wt.tensor(x, shape)), R.unary(name, ref(shape, x)), {
          rtol: u.rtol ?? 1e-5,
          scale: u.scale ?? 1e-30,
        });
      }
    });
    it(`${name} backward`, async () => {
      await gradCheck({
        name,
        inputs: [{ shape: [5, 9], data: u.data(45) }],
        gpu: ([x]) => u.f(x),
        reference: ([x]) => R.unary(name, x),
        // tanh' = 1 − y² and sigmoid' = y(1 − y), computed from the float32 output (as torch does), cancel for large
        // |x|: judge them on the absolute scale (both derivatives are ≤ 1).
        scale: name === 'tanh' || name === 'sigmoid' ? 1 : undefined,
      });
    });
  }
});

describe('GELU (exact erf) on a dense grid', () => {
  it('max abs error < 1e-6 against a float64 erf over [-10, 10], including 0, ±3, ±10', async () => {
    const n = 20001;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -10 + (20 * i) / (n - 1); // step 1e-3: hits 0, ±3, ±10 exactly
    for (const v of [0, 3, -3, 10, -10]) expect(x.includes(Math.fround(v))).toBe(true);
    const want = R.unary('gelu', ref([n], x));
    const s = await checkForward('gelu grid [-10,10]', [n], () => wt.gelu(wt.tensor(x, [n])), want, {
      rtol: 1e-6,
      scale: 1,
      atol: 1e-6,
    });
    expect(s.maxAbs).toBeLessThan(1e-6);
    // GELU's derivative on the same grid against Φ(x) + x·φ(x) in float64.
    const d64 = new Float64Array(n);
    for (let i = 0; i < n; i++)
      d64[i] = R.normalCdf(x[i]) + (x[i] * Math.exp(-0.5 * x[i] * x[i])) / Math.sqrt(2 * Math.PI);
    await wt.tidyAsync(async () => {
      const t = wt.tensor(x, [n]).requireGrad();
      const y = wt.gelu(t);
      poison([n]);
      wt.backward(y, wt.ones([n]));
      compare(
        "gelu' grid [-10,10]",
        await read(t.grad!),
        { shape: [n], data: d64 },
        { rtol: 1e-6, scale: 1, atol: 1e-6 },
      );
    });
  });

  it('erf reference is itself accurate (known values)', () => {
    expect(R.erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(R.erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(R.erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 13);
    expect(R.erfc(5) / 1.5374597944280349e-12).toBeCloseTo(1, 13);
    expect(R.erf(-1.5)).toBeCloseTo(-0.9661051464753108, 15);
    expect(R.geluScalar(0)).toBe(0);
  });
});

describe('normal inputs', () => {
  it('mul of N(0,1) tensors, [33, 1000]', async () => {
    const a = normal(33000);
    const b = normal(33000);
    const want = R.binary('mul', ref([33, 1000], a), ref([33, 1000], b));
    await checkForward(
      'mul N(0,1) [33,1000]',
      [33, 1000],
      () => wt.mul(wt.tensor(a, [33, 1000]), wt.tensor(b, [33, 1000])),
      want,
      { rtol: 1e-6, scale: 1e-30 },
    );
  });
});

describe('fills', () => {
  it('zeros (a clearBuffer) zero exactly the tensor over a NaN-poisoned pooled buffer, i32 too', async () => {
    for (const [shape, dtype] of [
      [[7, 129], 'f32'],
      [[1000], 'f32'],
      [[3], 'i32'],
      [[33, 5], 'i32'],
    ] as const) {
      poison(shape);
      const z = wt.zeros(shape, dtype);
      const got = await z.data();
      expect(got.length).toBe(sizeOf(shape));
      expect(Array.from(got).every((v) => Object.is(v, 0))).toBe(true);
      z.dispose();
    }
  });
  it('full with non-zero bit patterns (-0.0, 2.5, NaN, an i32) goes through the fill kernel', async () => {
    for (const value of [-0, 2.5, Number.NaN]) {
      poison([5, 7]);
      const t = wt.full([5, 7], value);
      expect(Array.from(await t.data()).every((v) => Object.is(v, value))).toBe(true);
      t.dispose();
    }
    const i = wt.full([9], -3, 'i32');
    expect(Array.from(await i.data())).toEqual(Array(9).fill(-3));
    i.dispose();
  });
});
