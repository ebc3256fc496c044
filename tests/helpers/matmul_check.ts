// One check shared by the matmul fast-path tests: a 2-D product with bias, for every given kernel choice, against
// the float64 reference on the given [M, K, N] shapes.
import { expect } from 'vitest';
import * as wt from '../../src/index.js';
import { configure } from '../../src/runtime/settings.js';
import { maxErr, randArray, refMatmul } from './matmul_ref.js';

export async function expect2DMatmulEveryChoice(
  choices: string[],
  shapes: [number, number, number][],
  transA: boolean,
  transB: boolean,
  seed: number,
): Promise<void> {
  expect(choices.length, 'kernel choices to check').toBeGreaterThan(0);
  for (const [m, k, n] of shapes) {
    const av = randArray(m * k, seed++);
    const bv = randArray(k * n, seed++);
    const biasV = randArray(n, seed++);
    const want = refMatmul(av, bv, 1, m, n, k, transA, transB, true, biasV);
    const a = wt.tensor(av, transA ? [k, m] : [m, k]);
    const b = wt.tensor(bv, transB ? [n, k] : [k, n]);
    const bias = wt.tensor(biasV, [n]);
    for (const choice of choices) {
      configure({ matmulKernel: choice });
      const out = wt.matmul(a, b, { transA, transB, bias });
      const err = maxErr(await out.data(), want);
      expect(err, `${choice} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} M=${m} K=${k} N=${n}`).toBeLessThan(
        2e-5 * Math.sqrt(k) + 1e-5,
      );
      out.dispose();
    }
    a.dispose();
    b.dispose();
    bias.dispose();
  }
}
