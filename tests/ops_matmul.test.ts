// Tier-1 op tests: matmul (2-D, batched, shared 2-D weight; NN/NT/TN/TT; bias) and the attention products vs
// float64 references, with NaN poisoning and finite-difference checks of every backward.
import { beforeAll, describe, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import * as R from '../src/ops/reference/matmul.js';
import * as A from '../src/ops/reference/attention.js';
import { checkForward, gradCheck, normal, ref, reseed, sizeOf, uniform } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(202);
});

const COMBOS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
const tag = (tA: boolean, tB: boolean): string => `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;

/** Operand shapes for op(a)·op(b) = [..., m, n] with inner dim k. */
function shapes(
  batch: number[],
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
  sharedB = false,
): [number[], number[]] {
  return [
    [...batch, ...(tA ? [k, m] : [m, k])],
    [...(sharedB ? [] : batch), ...(tB ? [n, k] : [k, n])],
  ];
}

async function checkMatmul(
  batch: number[],
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
  withBias: boolean,
  sharedB = false,
): Promise<void> {
  const [sa, sb] = shapes(batch, m, k, n, tA, tB, sharedB);
  const a = uniform(sizeOf(sa), -1, 1);
  const b = uniform(sizeOf(sb), -1, 1);
  const bias = withBias ? uniform(n, -1, 1) : undefined;
  const opts = { transA: tA, transB: tB, bias: bias ? ref([n], bias) : undefined };
  const want = R.matmul(ref(sa, a), ref(sb, b), opts);
  const scale = R.matmulAbs(ref(sa, a), ref(sb, b), opts).data;
  const name = `matmul ${tag(tA, tB)}${withBias ? '+bias' : ''} ${sharedB ? 'shared-b ' : ''}(${[...batch, m, k, n].join(',')})`;
  await checkForward(
    name,
    want.shape,
    () =>
      wt.matmul(wt.tensor(a, sa), wt.tensor(b, sb), {
        transA: tA,
        transB: tB,
        bias: bias ? wt.tensor(bias, [n]) : undefined,
      }),
    want,
    {
      // float32 rounding is proportional to Σ|a||b|; long K accumulates more of it.
      rtol: k >= 512 ? 1e-4 : 1e-5,
      scale,
    },
  );
}

describe('matmul forward', () => {
  it('2-D, all four transpose combos, with and without bias', async () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [7, 33, 129],
      [129, 1000, 7],
      [33, 1000, 65],
    ]) {
      for (const [tA, tB] of COMBOS) await checkMatmul([], m, k, n, tA, tB, tA === tB);
    }
    await checkMatmul([], 7, 33, 129, false, true, true);
    await checkMatmul([], 1, 1, 1, true, false, true);
  });
  it('batched, all four combos, bias', async () => {
    for (const [tA, tB] of COMBOS) {
      await checkMatmul([3], 7, 33, 9, tA, tB, tA !== tB);
      await checkMatmul([2, 2], 33, 7, 1, tA, tB, true);
    }
  });
  it('batched a with a shared 2-D weight (Linear)', async () => {
    await checkMatmul([2, 7], 1, 33, 129, false, true, true, true);
    await checkMatmul([3], 7, 129, 33, false, false, false, true);
  });
  it('normal inputs, [129, 768]·[768, 33]ᵀ layout', async () => {
    const a = normal(129 * 768);
    const b = normal(33 * 768, 0.02);
    const want = R.matmul(ref([129, 768], a), ref([33, 768], b), { transB: true });
    const scale = R.matmulAbs(ref([129, 768], a), ref([33, 768], b), { transB: true }).data;
    await checkForward(
      'matmul NT normal (129,768,33)',
      want.shape,
      () => wt.matmul(wt.tensor(a, [129, 768]), wt.tensor(b, [33, 768]), { transB: true }),
      want,
      { rtol: 1e-4, scale },
    );
  });
});

describe('matmul backward (finite differences)', () => {
  it('2-D, each combo, with bias', async () => {
    for (const [tA, tB] of COMBOS) {
      const [sa, sb] = shapes([], 5, 7, 6, tA, tB);
      await gradCheck({
        name: `matmul ${tag(tA, tB)}+bias (5,7,6)`,
        inputs: [
          { shape: sa, data: uniform(sizeOf(sa)) },
          { shape: sb, data: uniform(sizeOf(sb)) },
          { shape: [6], data: uniform(6) },
        ],
        gpu: ([a, b, bias]) => wt.matmul(a, b, { transA: tA, transB: tB, bias }),
        reference: ([a, b, bias]) => R.matmul(a, b, { transA: tA, transB: tB, bias }),
      });
    }
  });
  it('batched, each combo', async () => {
    for (const [tA, tB] of COMBOS) {
      const [sa, sb] = shapes([2], 4, 5, 3, tA, tB);
      await gradCheck({
        name: `matmul batched ${tag(tA, tB)} (2,4,5,3)`,
        inputs: [
          { shape: sa, data: uniform(sizeOf(sa)) },
          { shape: sb, data: uniform(sizeOf(sb)) },
        ],
        gpu: ([a, b]) => wt.matmul(a, b, { transA: tA, transB: tB }),
        reference: ([a, b]) => R.matmul(a, b, { transA: tA, transB: tB }),
      });
    }
  });
  it('batched a, shared 2-D weight, bias', async () => {
    for (const tB of [false, true]) {
      const [sa, sb] = shapes([2, 3], 1, 5, 4, false, tB, true);
      await gradCheck({
        name: `matmul shared-b N${tB ? 'T' : 'N'}+bias (2,3,1,5,4)`,
        inputs: [
          { shape: sa, data: uniform(sizeOf(sa)) },
          { shape: sb, data: uniform(sizeOf(sb)) },
          { shape: [4], data: uniform(4) },
        ],
        gpu: ([a, b, bias]) => wt.matmul(a, b, { transB: tB, bias }),
        reference: ([a, b, bias]) => R.matmul(a, b, { transB: tB, bias }),
      });
    }
  });
  it('long K (2, 1000, 1)', async () => {
    await gradCheck({
      name: 'matmul NT long K (2,1000,1)',
      inputs: [
        { shape: [2, 1000], data: uniform(2000) },
        { shape: [1, 1000], data: uniform(1000) },
      ],
      gpu: ([a, b]) => wt.matmul(a, b, { transB: true }),
      reference: ([a, b]) => R.matmul(a, b, { transB: true }),
    });
    // The weight gradient of a Linear over many tokens: dW = gᵀ·x reduces over K = 1000 tokens.
    await gradCheck({
      name: 'matmul weight grad, K=1000 tokens (1000,3)·(2,3)ᵀ+bias',
      inputs: [
        { shape: [1000, 3], data: uniform(3000), grad: false },
        { shape: [2, 3], data: uniform(6) },
        { shape: [2], data: uniform(2) },
      ],
      gpu: ([a, b, bias]) => wt.matmul(a, b, { transB: true, bias }),
      reference: ([a, b, bias]) => R.matmul(a, b, { transB: true, bias }),
    });
  });
});

describe('attention products (heads read in place from [B, T, H·D])', () => {
  it('attentionScores / attentionContext forward vs explicit heads', async () => {
    for (const [b, t, h, d] of [
      [2, 7, 3, 5],
      [1, 33, 4, 8],
      [3, 1, 2, 1],
      [1, 129, 2, 16],
    ]) {
      const shape = [b, t, h * d];
      const q = uniform(sizeOf(shape));
      const k = uniform(sizeOf(shape));
      const scale = 1 / Math.sqrt(d);
      const want = A.attentionScores(ref(shape, q), ref(shape, k), h, Math.fround(scale));
      const absScale = A.attentionScores(
        ref(shape, q.map(Math.abs)),
        ref(shape, k.map(Math.abs)),
        h,
        Math.fround(scale),
      ).data;
      await checkForward(
        `attentionScores (B${b},T${t},H${h},D${d})`,
        want.shape,
        () => wt.attentionScores(wt.tensor(q, shape), wt.tensor(k, shape), h, scale),
        want,
        { rtol: 1e-5, scale: absScale },
      );

      const pShape = [b, h, t, t];
      const p = uniform(sizeOf(pShape), 0, 1);
      const v = uniform(sizeOf(shape));
      const wantC = A.attentionContext(ref(pShape, p), ref(shape, v), h);
      const absC = A.attentionContext(ref(pShape, p), ref(shape, v.map(Math.abs)), h).data;
      await checkForward(
        `attentionContext (B${b},T${t},H${h},D${d})`,
        shape,
        () => wt.attentionContext(wt.tensor(p, pShape), wt.tensor(v, shape), h),
        wantC,
        { rtol: 1e-5, scale: absC },
      );
    }
  });
  it('backward (finite differences)', async () => {
    const [b, t, h, d] = [2, 5, 2, 3];
    const shape = [b, t, h * d];
    await gradCheck({
      name: 'attentionScores (2,5,2,3) scale',
      inputs: [
        { shape, data: uniform(sizeOf(shape)) },
        { shape, data: uniform(sizeOf(shape)) },
      ],
      gpu: ([q, k]) => wt.attentionScores(q, k, h, 0.577),
      reference: ([q, k]) => A.attentionScores(q, k, h, Math.fround(0.577)),
    });
    const pShape = [b, h, t, t];
    await gradCheck({
      name: 'attentionContext (2,5,2,3)',
      inputs: [
        { shape: pShape, data: uniform(sizeOf(pShape), 0, 1) },
        { shape, data: uniform(sizeOf(shape)) },
      ],
      gpu: ([p, v]) => wt.attentionContext(p, v, h),
      reference: ([p, v]) => A.attentionContext(p, v, h),
    });
  });
});
