// The 16-lane matmul configs (the B block shared by 16 lanes, ids ending in l16) against float64. They are offered
// only where subgroups have 16 lanes or more: lavapipe at 512 bits (LP_NATIVE_VECTOR_WIDTH=512, opt-in). On a CPU
// with AVX-512 this file asks for that width before Dawn loads the driver (vitest runs each test file in its own
// process), so the configs are checked whatever width the other files run at; elsewhere it checks that none is
// offered.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { expect2DMatmulEveryChoice } from './helpers/matmul_check.js';
import { forceMatmulKernel, matmulKernelChoices, untunedMatmulChoice } from '../src/ops/matmul.js';
import { runtime } from '../src/runtime/device.js';

const avx512 = ((): boolean => {
  try {
    return /^flags\s*:.*\bavx512f\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
})();
if (avx512) process.env.LP_NATIVE_VECTOR_WIDTH ??= '512';

beforeAll(async () => { await gpu(); });
afterEach(() => forceMatmulKernel(undefined));

const subgroupMin = (): number =>
  (runtime().device as unknown as { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo?.subgroupMinSize ?? 0;
const wideChoices = (): string[] => matmulKernelChoices().filter((c) => c.endsWith('l16'));

describe('16-lane subgroup matmul configs', () => {
  it('are offered exactly where subgroups have 16 lanes or more (lavapipe came up at the width asked for)', () => {
    const { description } = runtime().info;
    if (/llvmpipe/i.test(description) && process.env.LP_NATIVE_VECTOR_WIDTH) {
      const bits = Number(process.env.LP_NATIVE_VECTOR_WIDTH);
      expect(description).toContain(`${bits}-bits`);
      expect(subgroupMin()).toBe(bits / 32);
    }
    const wide = runtime().features.has('subgroups') && subgroupMin() >= 16;
    expect(wideChoices().length > 0).toBe(wide);
    if (wide && runtime().info.isSoftware) {
      // Untuned on software adapters (autotune.test.ts checks the rest of the defaults at any width).
      expect(untunedMatmulChoice({ a: 'row', b: 'nt', vecA: true, vecB: true }, 2048)).toBe('subgroup_r4c64il16');
    }
  });

  // [M, K, N]: tails in every dimension; N over and under the 64-column block; K 4-aligned (vec4) and not.
  const SHAPES: [number, number, number][] = [[7, 33, 129], [129, 65, 257], [33, 36, 20], [260, 68, 72]];
  for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`2-D ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} with bias on awkward shapes`, async () => {
      await expect2DMatmulEveryChoice(wideChoices(), SHAPES, transA, transB, 70);
    }, 600_000);
  }
});
