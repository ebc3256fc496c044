// Correctness of the GPU-shaped kernels on this adapter, against float64, without the test runner (a lent GPU
// machine carries dist/ but not vitest): the subgroup-matrix f16 matmuls (every offered config and layout, awkward
// shapes, bias + GELU, a split-K weight gradient), the workgroup-memory tiled matmuls, the tiled flash attention
// (forward vs float64; backward vs the per-thread kernels, which tests/ops_flash_attention.test.ts checks against
// finite differences) and an autocast product. Prints each check and writes <out>/<adapter>.gpu-checks.json; exit
// code 1 when one fails. The same checks run under vitest on lavapipe (tests/matmul_*.test.ts), where the
// subgroup-matrix ones are skipped for want of the feature.
// Usage: node dist/bench/gpu_checks.js [--out DIR]
import * as wt from '../src/index.js';
import { candidateChoices, tiledKernelChoices } from '../src/ops/matmul_select.js';
import { stridedMatmul } from '../src/ops/matmul_strided.js';
import { geluScalar } from '../src/ops/reference/elementwise.js';
import * as A from '../src/ops/reference/attention.js';
import { nd } from '../src/ops/reference/nd.js';
import { softmax as refSoftmax } from '../src/ops/reference/softmax.js';
import { maxErr, randArray, refMatmul } from '../tests/helpers/matmul_ref.js';
import { adapterSlug, parseArgs, startRuntime, writeResults } from './lib/common.js';

const args = parseArgs();
const rt = await startRuntime();
const results: { check: string; error: number; tolerance: number; pass: boolean }[] = [];
const tol = (k: number): number => 2e-5 * Math.sqrt(k) + 1e-5;
const record = (check: string, error: number, tolerance: number): void => {
  const pass = error < tolerance;
  results.push({ check, error, tolerance, pass });
  console.log(
    `${pass ? 'PASS' : 'FAIL'} ${check}: max error ${error.toExponential(2)} (tolerance ${tolerance.toExponential(1)})`,
  );
};
console.log(
  `adapter: ${rt.info.description}; features: ${rt.info.features.join(', ')}; ` +
    `subgroup-matrix configs: ${JSON.stringify(rt.info.subgroupMatrixConfigs)}`,
);

/** op(a)·op(b) + bias → GELU through `choice` (f16 operands with `half`), against float64 of the values used. */
async function product(
  choice: string,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  half: boolean,
): Promise<number> {
  let a = wt.tensor(randArray(m * k, m + k), transA ? [k, m] : [m, k]);
  let b = wt.tensor(randArray(k * n, n + 2 * k), transB ? [n, k] : [k, n]);
  if (half) [a, b] = [wt.cast(a, 'f16'), wt.cast(b, 'f16')];
  const biasV = randArray(n, 5);
  const bias = wt.tensor(biasV);
  const want = refMatmul(await a.data(), await b.data(), 1, m, n, k, transA, transB, true, biasV).map(geluScalar);
  const out = wt.withSettings({ matmulKernel: choice }, () =>
    wt.matmul(a, b, { transA, transB, bias, activation: 'gelu' }),
  );
  const err = maxErr(await out.data(), want);
  for (const t of [a, b, bias, out]) t.dispose();
  return err;
}

const LAYOUTS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;
const SHAPES = [
  [1, 1, 1],
  [33, 129, 7],
  [130, 40, 200],
  [1000, 768, 768],
] as const;
const label = (tA: boolean, tB: boolean, [m, k, n]: readonly number[]) =>
  `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${m}×${k}×${n}`;

const sgmat = candidateChoices({ a: 'row', b: 'nt', vecA: true, vecB: true, halfA: true, halfB: true }, []).filter(
  (c) => c.startsWith('sgmat_'),
);
if (sgmat.length === 0)
  console.log('subgroup-matrix matmul: not offered on this adapter (no f16 → f32 subgroup-matrix config)');
for (const id of sgmat) {
  for (const [tA, tB] of LAYOUTS)
    for (const s of SHAPES)
      record(`${id} ${label(tA, tB, s)}`, await product(id, s[0], s[1], s[2], tA, tB, true), tol(s[1]));
}
if (sgmat.length) {
  // A weight gradient dW = dYᵀ·X, K = 4096 tokens, through split-K whose chunks run on the matrix units.
  const [m, n, k] = [768, 768, 4096];
  const g = wt.cast(wt.tensor(randArray(k * m, 1), [k, m]), 'f16');
  const x = wt.cast(wt.tensor(randArray(k * n, 2), [k, n]), 'f16');
  const want = refMatmul(await g.data(), await x.data(), 1, m, n, k, true, false, true);
  const c = wt.full([m, n], NaN);
  const L = (row: number, col: number) => ({ batch1: 0, batch2: 0, row, col });
  wt.withSettings({ matmulKernel: 'splitk8' }, () =>
    stridedMatmul({
      a: g,
      aLayout: L(1, m),
      b: x,
      bLayout: L(n, 1),
      c,
      cLayout: L(n, 1),
      m,
      n,
      k,
      batch1: 1,
      batch2: 1,
    }),
  );
  record('split-K 8 f16 dW 768×4096×768 (matrix units)', maxErr(await c.data(), want), tol(k));
  for (const t of [g, x, c]) t.dispose();
}

for (const id of tiledKernelChoices()) {
  for (const [tA, tB] of LAYOUTS)
    for (const s of SHAPES.slice(0, 3))
      record(`${id} ${label(tA, tB, s)}`, await product(id, s[0], s[1], s[2], tA, tB, false), tol(s[1]));
  record(`${id} f16 operands NT 130×40×200`, await product(id, 130, 40, 200, false, true, true), tol(40));
}

// Tiled flash attention: forward vs float64; gradients vs the per-thread kernels (same maths, checked by finite
// differences in the test suite).
for (const [b, t, h, d] of [
  [2, 129, 3, 64],
  [1, 512, 12, 64],
  [2, 77, 2, 128],
] as const) {
  const shape = [b, t, h * d];
  const n = b * t * h * d;
  const data = [randArray(n, 11), randArray(n, 12), randArray(n, 13)];
  const maskV = Int32Array.from({ length: b * t }, (_, i) => (i % t < t - 5 || i < t ? 1 : 0));
  const scale = 1 / Math.sqrt(d);
  const run = async (kernel: wt.FlashKernel) =>
    wt.withSettings({ flashKernel: kernel, attentionKernel: 'fused' }, () =>
      wt.tidyAsync(async () => {
        const [q, k, v] = data.map((x) => wt.tensor(x, shape).requireGrad());
        const y = wt.flashAttention(q!, k!, v!, h, { scale, mask: wt.tensor(maskV, [b, t], 'i32') });
        wt.backward(y, wt.tensor(randArray(n, 14), shape));
        return { y: await y.data(), grads: await Promise.all([q, k, v].map((x) => x!.grad!.data())) };
      }),
    );
  const tiled = await run('tiled');
  const lanes = await run('lanes');
  const probs = refSoftmax(A.attentionScores(nd(shape, data[0]), nd(shape, data[1]), h, Math.fround(scale)), {
    mask: maskV,
  });
  const want = A.attentionContext(probs, nd(shape, data[2]), h).data;
  record(`flash tiled forward B${b} T${t} H${h} D${d}`, maxErr(tiled.y, want), 1e-4);
  tiled.grads.forEach((g, i) =>
    record(`flash tiled backward d${'qkv'[i]} B${b} T${t} vs per-thread`, maxErr(g, lanes.grads[i]!), 1e-4),
  );
}

// An autocast product (what --fp16 runs): operands rounded to halves, f32 accumulation.
{
  const [m, k, n] = [2048, 768, 3072];
  const x = wt.tensor(randArray(m * k, 21), [m, k]);
  const w = wt.tensor(randArray(n * k, 22), [n, k]);
  const [xh, wh] = [wt.cast(x, 'f16'), wt.cast(w, 'f16')];
  const want = refMatmul(await xh.data(), await wh.data(), 1, m, n, k, false, true, true);
  const y = wt.autocast('f16', () => wt.matmul(x, w, { transB: true }));
  record('autocast f16 linear 2048×768×3072 (default kernel)', maxErr(await y.data(), want), tol(k));
  for (const t of [x, w, xh, wh, y]) t.dispose();
}

const failed = results.filter((r) => !r.pass).length;
const path = writeResults(rt, args.out, `${adapterSlug(rt)}.gpu-checks.json`, { bench: 'gpu-checks', failed, results });
console.log(`\n${results.length - failed} passed, ${failed} failed; wrote ${path}`);
wt.shutdown();
process.exit(failed ? 1 : 0);
