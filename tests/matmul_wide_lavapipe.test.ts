// The 16-lane matmul configs (the B block shared by 16 lanes, ids ending in l16) against float64. They are offered
// only where subgroups have 16 lanes or more: lavapipe at 512 bits, which the Node runtime asks for on CPUs with
// AVX-512 (LP_NATIVE_VECTOR_WIDTH=512 unless the user set a width). This file's process runs lavapipe at 512 bits
// wherever the CPU has AVX-512, whatever width the rest of the suite runs at, so the checks run there; elsewhere they
// are reported as skipped with the reason, and the file checks that no 16-lane config is offered.
import { afterEach, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { expect2DMatmulEveryChoice } from './helpers/matmul_check.js';
import { itNeeds } from './helpers/needs.js';
import { matmulKernelChoices, untunedMatmulChoice } from '../src/ops/matmul_select.js';
import { configure } from '../src/runtime/settings.js';
import { runtime } from '../src/runtime/device.js';
import { lavapipeVectorWidth, readCpuinfo } from '../src/runtime/node_gpu.js';

const cpuinfo = readCpuinfo();
const userWidth = process.env.LP_NATIVE_VECTOR_WIDTH; // before the runtime loads the driver
const cpuAllows512 = lavapipeVectorWidth(undefined, cpuinfo) === '512';
// Read by the driver when the runtime loads it (below, in this file's own worker process).
if (cpuAllows512) process.env.LP_NATIVE_VECTOR_WIDTH = '512';
const fileWidth = cpuAllows512 ? '512' : userWidth || undefined;
await gpu();
afterEach(() => configure({ matmulKernel: undefined }));

const subgroupMin = (): number =>
  (runtime().device as unknown as { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo?.subgroupMinSize ?? 0;
const wideChoices = (): string[] => matmulKernelChoices().filter((c) => c.endsWith('l16'));
const NO_WIDE =
  wideChoices().length > 0
    ? undefined
    : `no 16-lane subgroups on ${runtime().info.description} (subgroupMinSize ${subgroupMin()})` +
      (runtime().info.isSoftware && !cpuAllows512
        ? '; the CPU lacks AVX-512, so lavapipe does not run at 512 bits'
        : '');

describe('lavapipe vector width', () => {
  const flags = (f: string): string => `processor\t: 0\nflags\t\t: fpu sse2 avx2 ${f}\nbogomips\t: 4000\n`;
  it('is 512 bits on CPUs with AVX-512 unless the user set a width; left alone elsewhere', () => {
    expect(lavapipeVectorWidth(undefined, flags('avx512f avx512bw'))).toBe('512');
    expect(lavapipeVectorWidth('', flags('avx512f'))).toBe('512');
    expect(lavapipeVectorWidth('256', flags('avx512f'))).toBeUndefined();
    expect(lavapipeVectorWidth(undefined, flags('avx512_vnni'))).toBeUndefined(); // another feature, not AVX-512F
    expect(lavapipeVectorWidth(undefined, flags('fma'))).toBeUndefined();
    expect(lavapipeVectorWidth(undefined, '')).toBeUndefined();
  });

  it('the width reached the driver before it loaded: lavapipe came up at that width', () => {
    expect(process.env.LP_NATIVE_VECTOR_WIDTH || undefined).toBe(fileWidth);
    const { description } = runtime().info;
    if (/llvmpipe/i.test(description) && fileWidth) {
      expect(description).toContain(`${fileWidth}-bits`);
      expect(subgroupMin()).toBe(Number(fileWidth) / 32);
    }
  });
});

describe('16-lane subgroup matmul configs', () => {
  it('are offered exactly where subgroups have 16 lanes or more', () => {
    const wide = runtime().features.has('subgroups') && subgroupMin() >= 16;
    expect(wideChoices().length > 0).toBe(wide);
    if (wide && runtime().info.isSoftware) {
      // Untuned on software adapters (autotune.test.ts checks the rest of the defaults at any width).
      expect(untunedMatmulChoice({ a: 'row', b: 'nt', vecA: true, vecB: true }, 2048)).toBe('subgroup_r4c64il16');
    }
  });

  // [M, K, N]: tails in every dimension; N over and under the 64-column block; K 4-aligned (vec4) and not.
  const SHAPES: [number, number, number][] = [
    [7, 33, 129],
    [129, 65, 257],
    [33, 36, 20],
    [260, 68, 72],
  ];
  for (const [transA, transB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    itNeeds(
      NO_WIDE,
      `2-D ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} with bias on awkward shapes`,
      async () => {
        await expect2DMatmulEveryChoice(wideChoices(), SHAPES, transA, transB, 70);
      },
      600_000,
    );
  }
});
