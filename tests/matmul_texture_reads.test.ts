// Matmul operands read through linear texture views (texture_view.ts: the operand's buffer copied into a read-only
// rgba32float storage texture, vec4 i at (i % width, i / width)) against a float64 CPU matmul: every kernel choice,
// every transposition, both read modes, operands spanning several texture rows with a partial last one, heads read
// in place, the fallback to buffer reads past the view's capacity, and the pooled textures staying flat.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { maxErr, randArray, refMatmul } from './helpers/matmul_ref.js';
import { nonEmpty } from './helpers/needs.js';
import * as wt from '../src/index.js';
import { matmulKernelChoices } from '../src/ops/matmul_select.js';
import { stridedMatmul } from '../src/ops/matmul_strided.js';
import { configure } from '../src/runtime/settings.js';
import { TEXTURE_WIDTH, textureRowsBucket } from '../src/runtime/texture_view.js';

let available = false;
beforeAll(async () => {
  const rt = await gpu();
  available = rt.textures !== undefined;
});
afterEach(() => {
  configure({ matmulKernel: undefined, matmulOperandReads: undefined });
  const pool = wt.runtime().textures;
  if (pool) pool.maxRows = wt.runtime().limits.maxTextureDimension2D;
});

/** Runs fn while recording the names of the kernels it dispatches. */
async function kernelsRun(fn: () => Promise<void>): Promise<string[]> {
  const names: string[] = [];
  const rt = wt.runtime();
  rt.profiler = { onDispatch: (name) => void names.push(name) };
  try {
    await fn();
  } finally {
    rt.profiler = undefined;
  }
  return names.filter((n) => n.startsWith('matmul_fast_'));
}

/** The layout id's operand letters of a generated kernel name: matmul_fast_<a><b>_<A><B>_… → [A, B]. */
const operandKinds = (name: string): [string, string] => {
  const ab = /^matmul_fast_(?:row|col)n[nt]_([vts]h?)([vts]h?)_/.exec(name);
  if (!ab) throw new Error(`unexpected kernel name ${name}`);
  return [ab[1], ab[2]];
};

describe('matmul operands read through texture views', () => {
  it('the WGSL language feature is there on this adapter (lavapipe has it), so the texture path is what runs', () => {
    expect(available, `wgslLanguageFeatures: ${wt.runtime().info.wgslLanguageFeatures.join(' ')}`).toBe(true);
  });

  it('rows bucket: powers of two up to 16, then 1/16 steps of the power of two', () => {
    expect([1, 2, 3, 5, 16, 17, 100, 768, 769].map(textureRowsBucket)).toEqual([1, 2, 4, 8, 16, 18, 104, 768, 832]);
  });

  // 4-aligned K and N (vec4 operands) with tails in M and N; the second shape's A spans 2 texture rows (partial last).
  const SHAPES: [number, number, number][] = [
    [33, 36, 20],
    [70, 132, 68],
    [300, 100, 44],
  ];
  for (const [transA, transB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    it(`2-D ${tag}: every kernel, texture and buffer reads, poisoned outputs, against float64`, async () => {
      let seed = 40;
      for (const [m, k, n] of SHAPES) {
        const av = randArray(m * k, seed++);
        const bv = randArray(k * n, seed++);
        const biasV = randArray(n, seed++);
        const want = refMatmul(av, bv, 1, m, n, k, transA, transB, true, biasV);
        await wt.tidyAsync(async () => {
          const a = wt.tensor(av, transA ? [k, m] : [m, k]);
          const b = wt.tensor(bv, transB ? [n, k] : [k, n]);
          const bias = wt.tensor(biasV, [n]);
          for (const reads of ['texture', 'buffer'] as const) {
            configure({ matmulOperandReads: reads });
            for (const choice of nonEmpty(
              matmulKernelChoices().filter((c) => c !== 'strided'),
              'fast matmul configs',
            )) {
              configure({ matmulKernel: choice });
              const names = await kernelsRun(async () => {
                const out = wt.matmul(a, b, { transA, transB, bias });
                const err = maxErr(await out.data(), want);
                expect(err, `${reads} ${choice} ${tag} M=${m} K=${k} N=${n}`).toBeLessThan(2e-5 * Math.sqrt(k) + 1e-5);
              });
              expect(names.length).toBe(1);
              // vec4 operands (4-aligned along their inner dimension) are 't' with texture reads, 'v' without;
              // scalar ones ('s': A read transposed with M % 4 ≠ 0) stay buffer reads either way.
              const vecA = transA ? m % 4 === 0 : k % 4 === 0;
              const vecB = transB ? k % 4 === 0 : n % 4 === 0;
              const vec = reads === 'texture' ? 't' : 'v';
              expect(operandKinds(names[0]), names[0]).toEqual([vecA ? vec : 's', vecB ? vec : 's']);
            }
          }
        });
      }
      // A spans more than one texture row in the last shape: the view's row split was exercised.
      expect((300 * 100) / 4).toBeGreaterThan(TEXTURE_WIDTH);
    }, 600_000);
  }

  it('attention products with heads read in place (batched, strided operands) through texture views', async () => {
    const [batch, t, heads, d] = [2, 13, 3, 8];
    const qv = randArray(batch * t * heads * d, 7);
    const kv = randArray(batch * t * heads * d, 8);
    configure({ matmulOperandReads: 'texture' });
    // scores[b, h] = q[b, :, h, :] · k[b, :, h, :]ᵀ, read in place from [B, T, H·D]
    const want = new Float64Array(batch * heads * t * t);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < heads; h++)
        for (let i = 0; i < t; i++)
          for (let j = 0; j < t; j++) {
            let s = 0;
            for (let e = 0; e < d; e++)
              s += qv[((b * t + i) * heads + h) * d + e] * kv[((b * t + j) * heads + h) * d + e];
            want[((b * heads + h) * t + i) * t + j] = s;
          }
    const names = await kernelsRun(async () => {
      await wt.tidyAsync(async () => {
        const q = wt.tensor(qv, [batch, t, heads * d]);
        const k = wt.tensor(kv, [batch, t, heads * d]);
        const scores = wt.full([batch, heads, t, t], NaN);
        const hd = heads * d;
        stridedMatmul({
          a: q,
          aLayout: { batch1: t * hd, batch2: d, row: hd, col: 1 }, // q[b, i, h, :]
          b: k,
          bLayout: { batch1: t * hd, batch2: d, row: 1, col: hd }, // k[b, j, h, :] as column j
          c: scores,
          cLayout: { batch1: heads * t * t, batch2: t * t, row: t, col: 1 },
          m: t,
          n: t,
          k: d,
          batch1: batch,
          batch2: heads,
        });
        expect(maxErr(await scores.data(), Array.from(want))).toBeLessThan(1e-5);
      });
    });
    expect(
      names.some((n) => operandKinds(n).join('') === 'tt'),
      names.join(' '),
    ).toBe(true);
  });

  it('an operand past the view capacity is read from its buffer; the other still through a texture', async () => {
    const pool = wt.runtime().textures!;
    pool.maxRows = 1; // capacity TEXTURE_WIDTH vec4s
    const [m, k, n] = [520, 32, 12]; // A: 4160 vec4s (over), B: 96 (under)
    const av = randArray(m * k, 1);
    const bv = randArray(n * k, 2);
    const want = refMatmul(av, bv, 1, m, n, k, false, true, false);
    configure({ matmulOperandReads: 'texture' });
    const names = await kernelsRun(async () => {
      await wt.tidyAsync(async () => {
        const out = wt.matmul(wt.tensor(av, [m, k]), wt.tensor(bv, [n, k]), { transB: true });
        expect(maxErr(await out.data(), want)).toBeLessThan(1e-5);
      });
    });
    expect(names.map(operandKinds)).toEqual([['v', 't']]);
  });

  it('the texture pool stays flat across repeated products and bounded across varying shapes', async () => {
    const rt = wt.runtime();
    configure({ matmulOperandReads: 'texture' });
    const step = (m: number): void =>
      wt.tidy(() => void wt.matmul(wt.full([m, 64], 0.5), wt.full([48, 64], 0.25), { transB: true }));
    step(100);
    await rt.sync();
    const first = rt.memory();
    for (let i = 0; i < 5; i++) step(100);
    await rt.sync();
    expect(rt.memory().texturesAllocated).toBe(first.texturesAllocated);
    expect(rt.memory().textureBytes).toBe(first.textureBytes);
    // Many different sizes: idle textures are freed past the floor, not hoarded.
    const pool = rt.textures!;
    let maxBytes = 0;
    for (let i = 0; i < 40; i++) {
      step(256 * (1 + i * 7)); // 4096 … 1.2M vec4s per A: a new bucket each time
      maxBytes = Math.max(maxBytes, rt.memory().textureBytes);
      if (i % 8 === 7) await rt.sync();
    }
    await rt.sync();
    const largest = 16 * TEXTURE_WIDTH * textureRowsBucket(Math.ceil((256 * (1 + 39 * 7) * 64) / 4 / TEXTURE_WIDTH));
    expect(maxBytes).toBeLessThanOrEqual(pool.idleFloorBytes + 3 * largest);
  });
});
