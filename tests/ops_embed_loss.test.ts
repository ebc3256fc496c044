// Tier-1 op tests: embedding (repeated ids, padding_idx), dropout (statistics, determinism, backward mask),
// cross-entropy (ignore_index, checkLabels) and gradNorm / clipGradNorm vs float64 references.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import * as E from '../src/ops/reference/embedding.js';
import * as D from '../src/ops/reference/dropout.js';
import * as X from '../src/ops/reference/loss.js';
import * as O from '../src/ops/reference/optim.js';
import {
  checkForward,
  compare,
  gradCheck,
  normal,
  poison,
  random,
  read,
  ref,
  reseed,
  sizeOf,
  uniform,
} from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(505);
});

/** n ids in [0, vocab) with deliberate repeats and some padding (0) ids. */
function makeIds(n: number, vocab: number, pad = 0): Int32Array {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = Math.floor(random() * vocab);
  for (let i = 1; i < n; i += 3) ids[i] = ids[i - 1]; // repeats
  if (n > 4) {
    ids[n - 1] = pad;
    ids[n - 2] = pad;
    ids[2] = 7 % vocab;
    ids[n - 3] = 7 % vocab;
  }
  return ids;
}

describe('embedding', () => {
  // dims 4·k take the vec4 entry point: 4 tokens per workgroup (15, 129 and 9 tokens leave the last one short),
  // 64 lanes striding over the row (520 = 130 vec4s: some lanes take 3, others 2).
  it('forward (vocab 1000, repeated ids; dims 4·k take the vec4 entry point)', async () => {
    for (const [idsShape, dim] of [
      [[1], 1],
      [[3, 7], 33],
      [[129], 7],
      [[2, 33], 129],
      [[1], 4],
      [[5, 3], 36],
      [[129], 12],
      [[9], 520],
    ] as [number[], number][]) {
      const ids = makeIds(sizeOf(idsShape), 1000);
      const w = normal(1000 * dim);
      const want = E.embedding(ref([1000, dim], w), ids, idsShape);
      await checkForward(
        `embedding ids[${idsShape}] dim=${dim}`,
        want.shape,
        () => wt.embedding(wt.tensor(w, [1000, dim]), wt.tensor(ids, idsShape)),
        want,
        { rtol: 0 },
      );
    }
  });
  it('backward: repeated ids summed, padding_idx row gets exactly zero gradient', async () => {
    for (const [idsShape, dim, pad] of [
      [[3, 7], 33, 0],
      [[129], 7, 0],
      [[2, 33], 5, -1],
      [[1], 3, -1],
    ] as [number[], number, number][]) {
      const ids = makeIds(sizeOf(idsShape), 1000);
      await wt.tidyAsync(async () => {
        const w = wt.tensor(normal(1000 * dim), [1000, dim]).requireGrad();
        const y = wt.embedding(w, wt.tensor(ids, idsShape), pad);
        const dy = normal(y.size);
        poison([1000, dim]);
        wt.backward(y, wt.tensor(dy, y.shape));
        const got = await read(w.grad!);
        const want = E.embeddingBackward(ids, ref([ids.length, dim], dy), 1000, pad);
        compare(`embedding backward ids[${idsShape}] dim=${dim} pad=${pad}`, got, want, { rtol: 1e-6, scale: 1 });
        if (pad >= 0) for (let c = 0; c < dim; c++) expect(got[pad * dim + c]).toBe(0);
      });
    }
  });
  it('backward (finite differences, no padding_idx)', async () => {
    const ids = makeIds(10, 20);
    await gradCheck({
      name: 'embedding [20,4] ids[2,5]',
      inputs: [{ shape: [20, 4], data: normal(80) }],
      gpu: ([w]) => wt.embedding(w, wt.tensor(ids, [2, 5])),
      reference: ([w]) => E.embedding(w, ids, [2, 5]),
    });
  });
});

describe('dropout', () => {
  // Odd sizes take the scalar kernel, sizes 4·k the vec4 one (4 vec4s per lane; 65572 leaves its last workgroup
  // part-filled): both must give the reference mask exactly.
  it('fraction kept within statistical bounds, survivors scaled by 1/(1−p), mask = reference hash', async () => {
    for (const [n, p] of [
      [65536 + 33, 0.1],
      [65536 + 33, 0.5],
      [65536 + 36, 0.1],
      [65536 + 36, 0.5],
    ]) {
      const x = uniform(n, 0.5, 2);
      const seed = 1234 + p * 10;
      const y = await wt.tidyAsync(async () => {
        poison([n]);
        return read(wt.dropout(wt.tensor(x, [n]), p, new wt.DropoutRng(seed, 77)));
      });
      const mask = D.dropoutMask(n, p, seed, 77);
      let kept = 0;
      let mismatches = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] !== 0) kept++;
        if ((y[i] !== 0 ? 1 : 0) !== mask[i]) mismatches++;
      }
      expect(mismatches, 'elements whose keep/drop differs from the reference hash').toBe(0);
      const frac = kept / n;
      const sigma = Math.sqrt((p * (1 - p)) / n);
      console.log(
        `dropout p=${p} n=${n}: kept ${frac.toFixed(5)} (expected ${1 - p}, ${((frac - (1 - p)) / sigma).toFixed(2)}σ)`,
      );
      expect(Math.abs(frac - (1 - p))).toBeLessThan(5 * sigma);
      compare(`dropout p=${p} survivors`, y, D.dropout(ref([n], x), Math.fround(p), mask), {
        rtol: 1e-6,
        scale: 1e-30,
      });
    }
  });
  it('same (seed, offset) → same mask; different offsets or seeds → different masks; the rng advances', async () => {
    const x = new Float32Array(4096).fill(1);
    const run = (seed: number, offset: number): Promise<Float64Array> =>
      wt.tidyAsync(() => read(wt.dropout(wt.tensor(x, [4096]), 0.5, new wt.DropoutRng(seed, offset))));
    const a = await run(9, 100);
    const b = await run(9, 100);
    const c = await run(9, 100 + 4096);
    const d = await run(10, 100);
    expect(Array.from(a)).toEqual(Array.from(b));
    const agree = (u: Float64Array, v: Float64Array): number =>
      u.reduce((s, val, i) => s + (val === v[i] ? 1 : 0), 0) / u.length;
    expect(agree(a, c)).toBeLessThan(0.6);
    expect(agree(a, d)).toBeLessThan(0.6);
    const rng = new wt.DropoutRng(5);
    wt.tidy(() => wt.dropout(wt.tensor(x, [4096]), 0.1, rng));
    expect(rng.state()).toEqual({ seed: 5, offset: 4096 });
  });
  it('backward uses the same mask: dx = dy ⊙ mask / (1 − p)', async () => {
    for (const p of [0.1, 0.5]) {
      for (const shape of [
        [33, 129],
        [33, 128],
      ])
        await wt.tidyAsync(async () => {
          const x = wt.tensor(uniform(sizeOf(shape), 0.5, 2), shape).requireGrad();
          const y = wt.dropout(x, p, new wt.DropoutRng(42, 1000));
          const dy = normal(sizeOf(shape));
          poison(shape);
          wt.backward(y, wt.tensor(dy, shape));
          const mask = D.dropoutMask(sizeOf(shape), p, 42, 1000);
          compare(
            `dropout p=${p} backward [${shape}]`,
            await read(x.grad!),
            D.dropout(ref(shape, dy), Math.fround(p), mask),
            { rtol: 1e-6, scale: 1e-30 },
          );
          const yv = await read(y);
          expect(
            yv.every((v, i) => (v !== 0 ? 1 : 0) === mask[i]),
            `mask [${shape}]`,
          ).toBe(true);
        });
    }
  });
  it('backward (finite differences, fixed mask)', async () => {
    const mask = D.dropoutMask(35, 0.3, 8, 3);
    await gradCheck({
      name: 'dropout p=0.3 [5,7]',
      inputs: [{ shape: [5, 7], data: uniform(35) }],
      gpu: ([x]) => wt.dropout(x, 0.3, new wt.DropoutRng(8, 3)),
      reference: ([x]) => D.dropout(x, Math.fround(0.3), mask),
    });
  });
  it('p = 0 is the identity; p outside [0, 1) is an error', async () => {
    const x = uniform(7);
    compare(
      'dropout p=0',
      await wt.tidyAsync(() => read(wt.dropout(wt.tensor(x, [7]), 0, new wt.DropoutRng(1)))),
      ref([7], x),
      { rtol: 0 },
    );
    expect(() => wt.dropout(wt.tensor(x, [7]), 1, new wt.DropoutRng(1))).toThrow(/p must be in \[0, 1\)/);
  });
});

describe('crossEntropy', () => {
  const cases: [number, number, number][] = [
    [1, 2, 0],
    [7, 2, 2],
    [33, 7, 5],
    [129, 1000, 10],
    [65, 3, 0],
  ];
  function labelsFor(rows: number, classes: number, ignored: number): Int32Array {
    const l = new Int32Array(rows);
    for (let i = 0; i < rows; i++) l[i] = Math.floor(random() * classes);
    for (let i = 0; i < ignored; i++) l[(i * 7 + 1) % rows] = -100;
    return l;
  }
  it('forward: mean over rows not ignored (ignore_index -100)', async () => {
    for (const [rows, classes, ignored] of cases) {
      const logits = normal(rows * classes, 3);
      const labels = labelsFor(rows, classes, ignored);
      const want = X.crossEntropy(ref([rows, classes], logits), labels);
      // A row's loss is logsumexp − x[label]: float32 rounds it to ~1e-7 of the logits' size, not of the loss, so a
      // confidently right row (loss ~1e-4) has no relative precision to test (torch's float32 loss neither): error
      // relative to max(|loss|, 1).
      await checkForward(
        `crossEntropy [${rows},${classes}] ignored=${ignored}`,
        [],
        () => wt.crossEntropy(wt.tensor(logits, [rows, classes]), wt.tensor(labels, [rows])),
        want,
        { rtol: 1e-5, scale: 1 },
      );
    }
  });
  it('forward with ±1e4 logits stays finite', async () => {
    const logits = new Float32Array([1e4, -1e4, 0, -1e4, 1e4, 1e4]);
    const labels = new Int32Array([1, 0]);
    const want = X.crossEntropy(ref([2, 3], logits), labels);
    await checkForward(
      'crossEntropy ±1e4',
      [],
      () => wt.crossEntropy(wt.tensor(logits, [2, 3]), wt.tensor(labels, [2])),
      want,
      { rtol: 1e-6, scale: 1e-30 },
    );
  });
  it('backward (finite differences), with ignored rows', async () => {
    for (const [rows, classes, ignored] of [
      [5, 3, 2],
      [7, 2, 0],
      [4, 9, 1],
    ]) {
      const labels = labelsFor(rows, classes, ignored);
      await gradCheck({
        name: `crossEntropy [${rows},${classes}] ignored=${ignored}`,
        inputs: [{ shape: [rows, classes], data: normal(rows * classes, 2) }],
        gpu: ([x]) => wt.crossEntropy(x, wt.tensor(labels, [rows])),
        reference: ([x]) => X.crossEntropy(x, labels),
        weights: new Float32Array([1.7]),
      });
    }
  });
  it('checkLabels and shape errors', () => {
    expect(() => wt.checkLabels([0, 1, -100, 1], 2)).not.toThrow();
    expect(() => wt.checkLabels([0, 2], 2)).toThrow(/labels\[1\] = 2 is out of range/);
    expect(() => wt.checkLabels([-1], 2)).toThrow(/labels\[0\] = -1/);
    expect(() => wt.checkLabels([0.5], 2)).toThrow(/labels\[0\] = 0.5/);
    expect(() => wt.checkLabels([-1], 2, -1)).not.toThrow();
    wt.tidy(() => {
      expect(() => wt.crossEntropy(wt.zeros([3, 2]), wt.zeros([3]))).toThrow(/labels must be int32 \[3\]/);
      expect(() => wt.crossEntropy(wt.zeros([3, 2]), wt.zeros([2], 'i32'))).toThrow(/labels must be int32 \[3\]/);
      expect(() => wt.crossEntropy(wt.zeros([3]), wt.zeros([3], 'i32'))).toThrow(/logits must be \[N, C\]/);
    });
  });
});

describe('gradNorm / clipGradNorm', () => {
  const shapes = [[1], [7], [33, 129], [1000], [300, 1000]];
  it('total norm and coefficient vs float64; grads scaled in place; max_norm active and inactive', async () => {
    const grads = shapes.map((s) => normal(sizeOf(s), 0.01));
    const { total } = O.gradNorm(grads);
    for (const maxNorm of [total / 3, total * 2, Infinity]) {
      const want = O.gradNorm(grads, maxNorm);
      await wt.tidyAsync(async () => {
        const gs = grads.map((g, i) => wt.tensor(g, shapes[i]));
        poison([2]);
        const got = await read(wt.gradNorm(gs, maxNorm));
        const label = Number.isFinite(maxNorm) ? (maxNorm < total ? 'active' : 'inactive') : 'no max';
        compare(`gradNorm total (${label})`, [got[0]], [want.total], { rtol: 1e-5, scale: 1e-30 });
        compare(`gradNorm coef (${label})`, [got[1]], [want.coef], { rtol: 1e-5, scale: 1e-30 });
        if (!Number.isFinite(maxNorm) || maxNorm > total) expect(got[1]).toBe(1);

        const params = shapes.map((s) => wt.zeros(s));
        params.forEach((p, i) => (p.grad = wt.tensor(grads[i], shapes[i])));
        const res = await read(wt.clipGradNorm(params, maxNorm));
        compare(`clipGradNorm total (${label})`, [res[0]], [want.total], { rtol: 1e-5, scale: 1e-30 });
        for (let i = 0; i < params.length; i++) {
          const scaled = Float64Array.from(grads[i], (v) => v * want.coef);
          compare(`clipGradNorm grad [${shapes[i]}] (${label})`, await read(params[i].grad!), ref(shapes[i], scaled), {
            rtol: 1e-5,
            scale: 1e-30,
            quiet: i < shapes.length - 1,
          });
          params[i].grad!.dispose();
        }
      });
    }
  });
});
