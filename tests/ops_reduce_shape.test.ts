// Tier-1 op tests: sum / mean / max over axes, and the layout ops (permute, transpose, narrow, broadcastTo) vs
// float64 references, with NaN poisoning and finite-difference checks of every backward.
import { beforeAll, describe, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import * as R from '../src/ops/reference/reduce.js';
import * as S from '../src/ops/reference/shape.js';
import { checkForward, gradCheck, ref, reseed, sizeOf, uniform } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(303);
});

type Axes = number | number[] | undefined;
const CASES: [number[], Axes, boolean][] = [
  [[1], undefined, false],
  [[1000], undefined, false],
  [[1000], 0, true],
  [[7, 33], 1, false],
  [[7, 33], 0, true],
  [[7, 33], -1, true],
  [[33, 129], [0, 1], false],
  [[3, 7, 33], [0, 2], false],
  [[3, 7, 33], 1, true],
  [[2, 3, 1, 129], [1, 3], true],
  [[7, 1000], undefined, true],
];

const REDUCERS = {
  sum: { gpu: wt.sum, ref: R.sum },
  mean: { gpu: wt.mean, ref: R.mean },
  max: { gpu: wt.max, ref: R.max },
} as const;

describe('reductions', () => {
  for (const name of ['sum', 'mean', 'max'] as const) {
    const op = REDUCERS[name];
    it(`${name} forward over an axis / all axes / keepDims`, async () => {
      for (const [shape, axes, keepDims] of CASES) {
        const x = uniform(sizeOf(shape), -2, 2);
        const want = op.ref(ref(shape, x), axes, keepDims);
        // A float32 sum's rounding error scales with Σ|x| (mean: with its mean |x|); max is exact.
        const count = sizeOf(shape) / want.data.length;
        const scale =
          name === 'max'
            ? 1e-30
            : R.sumAbs(ref(shape, x), axes, keepDims).data.map((v) => (name === 'mean' ? v / count : v));
        await checkForward(
          `${name} [${shape}] axes=${JSON.stringify(axes)} keep=${keepDims}`,
          want.shape,
          () => op.gpu(wt.tensor(x, shape), axes, keepDims),
          want,
          { rtol: 1e-6, scale },
        );
      }
    });
    it(`${name} backward`, async () => {
      for (const [shape, axes, keepDims] of [
        [[4, 5], 1, false],
        [[3, 4, 5], [0, 2], true],
        [[6], undefined, false],
        [[2, 3, 4], undefined, true],
      ] as [number[], Axes, boolean][]) {
        await gradCheck({
          name: `${name} [${shape}] axes=${JSON.stringify(axes)} keep=${keepDims}`,
          inputs: [{ shape, data: uniform(sizeOf(shape), -2, 2) }],
          gpu: ([x]) => op.gpu(x, axes, keepDims),
          reference: ([x]) => op.ref(x, axes, keepDims),
          h: 1e-6,
        });
      }
    });
  }
});

describe('layout ops', () => {
  it('permute / transpose forward', async () => {
    for (const [shape, perm] of [
      [[1], [0]],
      [
        [7, 33],
        [1, 0],
      ],
      [
        [3, 7, 33],
        [2, 0, 1],
      ],
      [
        [2, 3, 5, 7],
        [0, 2, 1, 3],
      ],
      [
        [2, 1, 129, 3],
        [3, 2, 1, 0],
      ],
    ] as [number[], number[]][]) {
      const x = uniform(sizeOf(shape));
      const want = S.permute(ref(shape, x), perm);
      await checkForward(
        `permute [${shape}] (${perm})`,
        want.shape,
        () => wt.permute(wt.tensor(x, shape), perm),
        want,
        { rtol: 0 },
      );
    }
    const x = uniform(7 * 33 * 5);
    const want = S.transpose(ref([7, 33, 5], x), 0, 2);
    await checkForward(
      'transpose [7,33,5] (0,2)',
      want.shape,
      () => wt.transpose(wt.tensor(x, [7, 33, 5]), 0, 2),
      want,
      { rtol: 0 },
    );
    const want2 = S.transpose(ref([7, 33, 5], x));
    await checkForward('transpose [7,33,5] (-2,-1)', want2.shape, () => wt.transpose(wt.tensor(x, [7, 33, 5])), want2, {
      rtol: 0,
    });
  });
  it('narrow forward', async () => {
    for (const [shape, axis, start, len] of [
      [[1000], 0, 1, 998],
      [[7, 33], 1, 5, 20],
      [[7, 33], 0, 6, 1],
      [[3, 129, 7], -2, 64, 65],
      [[2, 3, 4], 2, 0, 4],
    ] as [number[], number, number, number][]) {
      const x = uniform(sizeOf(shape));
      const want = S.narrow(ref(shape, x), axis, start, len);
      await checkForward(
        `narrow [${shape}] axis=${axis} [${start},+${len})`,
        want.shape,
        () => wt.narrow(wt.tensor(x, shape), axis, start, len),
        want,
        { rtol: 0 },
      );
    }
  });
  it('broadcastTo forward', async () => {
    for (const [shape, target] of [
      [[1], [1000]],
      [[33], [7, 33]],
      [
        [7, 1, 33],
        [7, 129, 33],
      ],
      [
        [129, 1],
        [3, 129, 7],
      ],
    ] as [number[], number[]][]) {
      const x = uniform(sizeOf(shape));
      const want = S.broadcastTo(ref(shape, x), target);
      await checkForward(
        `broadcastTo [${shape}]→[${target}]`,
        target,
        () => wt.broadcastTo(wt.tensor(x, shape), target),
        want,
        { rtol: 0 },
      );
    }
  });
  it('backward', async () => {
    await gradCheck({
      name: 'permute [2,3,4] (2,0,1)',
      inputs: [{ shape: [2, 3, 4], data: uniform(24) }],
      gpu: ([x]) => wt.permute(x, [2, 0, 1]),
      reference: ([x]) => S.permute(x, [2, 0, 1]),
    });
    await gradCheck({
      name: 'transpose [3,5]',
      inputs: [{ shape: [3, 5], data: uniform(15) }],
      gpu: ([x]) => wt.transpose(x),
      reference: ([x]) => S.transpose(x),
    });
    await gradCheck({
      name: 'narrow [4,7] axis 1 [2,+3)',
      inputs: [{ shape: [4, 7], data: uniform(28) }],
      gpu: ([x]) => wt.narrow(x, 1, 2, 3),
      reference: ([x]) => S.narrow(x, 1, 2, 3),
    });
    await gradCheck({
      name: 'narrow [5,2,3] axis 0 [4,+1)',
      inputs: [{ shape: [5, 2, 3], data: uniform(30) }],
      gpu: ([x]) => wt.narrow(x, 0, 4, 1),
      reference: ([x]) => S.narrow(x, 0, 4, 1),
    });
    await gradCheck({
      name: 'broadcastTo [3,1]→[2,3,4]',
      inputs: [{ shape: [3, 1], data: uniform(3) }],
      gpu: ([x]) => wt.broadcastTo(x, [2, 3, 4]),
      reference: ([x]) => S.broadcastTo(x, [2, 3, 4]),
    });
    await gradCheck({
      name: 'reshape [4,6]→[2,12]',
      inputs: [{ shape: [4, 6], data: uniform(24) }],
      gpu: ([x]) => x.reshape([2, 12]),
      reference: ([x]) => ({ shape: [2, 12], data: x.data }),
    });
  });
});
