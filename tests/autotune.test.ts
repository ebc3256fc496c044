// The autotuner (interleaved rounds, failing candidates skipped, per-key choices) and the untuned matmul defaults.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { runtime } from '../src/runtime/device.js';
import { Autotuner } from '../src/runtime/autotune.js';
import { matmulKernelChoices, untunedMatmulChoice } from '../src/ops/matmul_select.js';
import { wgSize, type FastLayout } from '../src/ops/matmul_fast.js';

beforeAll(async () => {
  await gpu();
});

/** Busy-waits `ms` on the host: a candidate whose cost is known. */
const spin = (ms: number): void => {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    /* spin */
  }
};

describe('Autotuner', () => {
  it('picks the fastest candidate, rules out one that throws, and keys choices by adapter', async () => {
    const tuner = new Autotuner();
    const rt = runtime();
    const key = tuner.key(rt, 'test', 'shape');
    expect(key).toContain(rt.info.description);
    let calls = 0;
    const result = await tuner.tune(
      rt,
      key,
      [
        {
          id: 'slow',
          run: () => {
            calls++;
            spin(12);
          },
        },
        {
          id: 'broken',
          run: () => {
            throw new Error('pipeline rejected');
          },
        },
        {
          id: 'fast',
          run: () => {
            calls++;
            spin(1);
          },
        },
      ],
      3,
    );
    expect(result.choice).toBe('fast');
    expect(tuner.choice(key)).toBe('fast');
    expect(result.times.broken).toBe(Infinity);
    expect(result.times.fast).toBeLessThan(result.times.slow);
    expect(calls).toBe(2 * 4); // one warm-up and three rounds each
    expect(tuner.exportCache()).toEqual({ [key]: 'fast' });
    const other = new Autotuner();
    other.importCache({ [key]: 'slow', bad: 3 as unknown as string });
    expect(other.choice(key)).toBe('slow');
    expect(other.choice('bad')).toBeUndefined();
  });

  it('adds rounds (at most 8) until minMs has passed', async () => {
    const rt = runtime();
    const count = async (minMs: number, spinMs: number): Promise<number> => {
      let calls = 0;
      await new Autotuner().tune(
        rt,
        'k',
        [
          {
            id: 'a',
            run: () => {
              calls++;
              spin(spinMs);
            },
          },
        ],
        2,
        minMs,
      );
      return calls - 1; // minus the warm-up
    };
    expect(await count(0, 1)).toBe(2);
    expect(await count(10_000, 0)).toBe(8); // capped
    expect(await count(60, 1)).toBeGreaterThan(2); // ~1 ms rounds: more than the 2 asked for
    expect(await count(20, 6)).toBeLessThanOrEqual(4); // ≥ 6 ms rounds: 4 of them pass 20 ms, no fifth
  });
});

describe('untuned matmul defaults', () => {
  const layouts: FastLayout[] = [
    { a: 'row', b: 'nt', vecA: true, vecB: true },
    { a: 'row', b: 'nn', vecA: true, vecB: true },
    { a: 'col', b: 'nn', vecA: true, vecB: true },
    { a: 'row', b: 'nt', vecA: false, vecB: false },
  ];
  it('choose an offered config whose workgroup spans no more rows than M (attention heads: 128 rows)', () => {
    const offered = matmulKernelChoices();
    const span = (id: string): number => {
      const [, rows, , wg] = /_r(\d+)c(\d+)(?:w(\d+))?/.exec(id) ?? [];
      return Number(rows) * Number(wg ?? 64);
    };
    for (const l of layouts) {
      for (const m of [2048, 256, 128]) {
        const c = untunedMatmulChoice(l, m);
        expect(offered).toContain(c);
        // Where this device offers a config short enough for M, the default is one (the 4-row-per-lane col layout
        // offers the same spans as the row layout here).
        if (offered.some((id) => id !== 'strided' && span(id) <= m)) expect(span(c)).toBeLessThanOrEqual(m);
      }
    }
  });
  it('follow the adapter kind: subgroup broadcast (r4c64il16 with 16-lane subgroups, else r4c32i) on software adapters with subgroups, plain r4c8 on hardware', () => {
    const rt = runtime();
    const l = layouts[0];
    const offered = matmulKernelChoices();
    const sg = offered.includes('subgroup_r4c32i');
    const wide = offered.includes('subgroup_r4c64il16'); // 16-lane subgroups (lavapipe at 512 bits)
    const [long, short] = wide
      ? ['subgroup_r4c64il16', 'subgroup_r4c64w32il16']
      : ['subgroup_r4c32i', 'subgroup_r4c32w32i'];
    const want = rt.info.isSoftware ? (sg ? long : 'plain_r4c8') : 'plain_r4c8';
    expect(untunedMatmulChoice(l, 2048)).toBe(want);
    if (rt.info.isSoftware && sg) {
      expect(untunedMatmulChoice(l, 128)).toBe(short);
      // Rows computed past M count (a workgroup covers wg·rows rows): one short sequence (100 tokens, no padding)
      // takes the 128-row workgroup, a batch's few [CLS] rows the 8-row one.
      expect(untunedMatmulChoice(l, 100)).toBe(short);
      expect(untunedMatmulChoice(l, 4)).toBe('subgroup_r1c32w8i');
      expect(untunedMatmulChoice(l, 3277)).toBe(long);
    }
    expect(wgSize({ share: 'plain', rows: 4, cols: 8 })).toBe(64);
  });
});
