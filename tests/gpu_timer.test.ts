// The benches' GPU timer covers all the work a timed region encodes: besides each dispatch, the commands outside
// compute passes (zero fills, buffer copies, the matmul operands' texture-view copies) get timestamp pairs of their
// own, named cmd:…; dispatch observers never see them. (Durations are not asserted: no timing in tests.)
import { describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { itNeeds } from './helpers/needs.js';
import * as wt from '../src/index.js';
import { COMMAND_PREFIX } from '../src/runtime/runtime.js';
import { GpuTimer } from '../bench/lib/gpu_timer.js';

const rt = await gpu();
const NO_TIMESTAMPS = rt.features.has('timestamp-query')
  ? undefined
  : `the adapter (${rt.info.description}) lacks timestamp-query`;
const NO_VIEWS = NO_TIMESTAMPS ?? (rt.textures ? undefined : "the adapter's WGSL has no read-only storage textures");

/** The timed entries of what `encode` encodes (its outputs disposed after). */
async function timed(encode: () => wt.Tensor[]): Promise<{ kernels: { name: string; ms: number }[]; ms: number }> {
  const timer = new GpuTimer(rt, 'timestamp');
  let outs: wt.Tensor[] = [];
  try {
    return await timer.time(() => void (outs = encode()));
  } finally {
    outs.forEach((t) => t.dispose());
    timer.destroy();
  }
}

describe('GpuTimer (timestamp mode) times clears and copies with the dispatches', () => {
  itNeeds(
    NO_TIMESTAMPS,
    'a zero fill and a buffer copy get timestamp pairs of their own; the sample is the sum',
    async () => {
      const x = wt.full([1 << 16], 3);
      const { kernels, ms } = await timed(() => [wt.zeros([1 << 18]), wt.clone(x), wt.gelu(x)]);
      const names = kernels.map((k) => k.name);
      expect(names).toContain(`${COMMAND_PREFIX}clearBuffer`);
      expect(names).toContain(`${COMMAND_PREFIX}copyBufferToBuffer`);
      expect(names.some((n) => !n.startsWith(COMMAND_PREFIX))).toBe(true); // the GELU dispatch
      for (const k of kernels) expect(k.ms, k.name).toBeGreaterThanOrEqual(0);
      expect(ms).toBeCloseTo(
        kernels.reduce((a, k) => a + k.ms, 0),
        9,
      );
      x.dispose();
    },
  );

  itNeeds(NO_VIEWS, 'a matmul reading texture views: both operand copies are timed before its dispatch', async () => {
    const [a, b] = [wt.randUniform([64, 32], 1), wt.randUniform([48, 32], 2)];
    try {
      const { kernels } = await wt.withSettings({ matmulOperandReads: 'texture' }, () =>
        timed(() => [wt.matmul(a, b, { transB: true })]),
      );
      expect(kernels.map((k) => (k.name.startsWith(COMMAND_PREFIX) ? k.name : 'dispatch'))).toEqual([
        `${COMMAND_PREFIX}copyBufferToTexture`,
        `${COMMAND_PREFIX}copyBufferToTexture`,
        'dispatch',
      ]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('dispatch observers see dispatches only; without a profiler clears and copies still run', async () => {
    const names: string[] = [];
    rt.profiler = { onDispatch: (n) => void names.push(n) };
    try {
      const z = wt.zeros([1000]);
      const c = wt.clone(wt.full([7], 2));
      expect(names.every((n) => !n.startsWith(COMMAND_PREFIX))).toBe(true);
      rt.profiler = undefined;
      const z2 = wt.zeros([1000]);
      expect(Array.from(await z.data()).every((v) => v === 0)).toBe(true);
      expect(Array.from(await z2.data()).every((v) => v === 0)).toBe(true);
      expect(Array.from(await c.data())).toEqual(Array(7).fill(2));
      [z, z2, c].forEach((t) => t.dispose());
    } finally {
      rt.profiler = undefined;
    }
    expect(names.length).toBeGreaterThan(0); // full() is a dispatch
  });
});
