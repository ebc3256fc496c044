// Tier-1 error tests: a WGSL typo is a KernelError, an over-limit binding a BindingLimitError, and shape
// mismatches give clear messages naming the shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { empty } from '../src/ops/kernel.js';
import { poison, read } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
});

describe('kernel and binding errors', () => {
  it('a WGSL typo surfaces as a KernelError naming the kernel', async () => {
    const broken = wt.defineKernel({
      name: 'broken_test_kernel',
      source: `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  out[gid.x] = undefined_identifer + 1.0;
}`,
      bindings: { out: 'read_write' },
    });
    const err = await wt
      .runtime()
      .compile(broken)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(wt.KernelError);
    expect((err as wt.KernelError).kernel).toBe('broken_test_kernel');
    expect((err as Error).message).toMatch(/broken_test_kernel/);
    // The runtime is still usable afterwards.
    expect(await wt.tidyAsync(() => wt.add(wt.ones([3]), wt.ones([3])).array())).toEqual([2, 2, 2]);
  });

  it('a binding over maxStorageBufferBindingSize is a BindingLimitError before anything is encoded', async () => {
    const rt = wt.runtime();
    const limit = rt.limits.maxStorageBufferBindingSize;
    const t = wt.zeros([4]);
    const before = rt.dispatchCount;
    const kernel = wt.defineKernel({ name: 'fake_kernel', source: '', bindings: { x: 'read' } });
    let err: unknown;
    try {
      rt.dispatch(kernel, { bindings: { x: { buffer: t.buffer, size: limit + 4 } }, grid: [1] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(wt.BindingLimitError);
    expect((err as Error).message).toMatch(
      new RegExp(`${limit + 4}-byte storage binding.*maxStorageBufferBindingSize of ${limit}`),
    );
    expect((err as Error).message).toMatch(/fake_kernel/);
    expect(rt.dispatchCount).toBe(before);
    t.dispose();
    await rt.sync();
  });
});

describe('test harness', () => {
  it('poison() really hands NaN-filled buffers to the next allocations of that size', async () => {
    await wt.tidyAsync(async () => {
      poison([7, 33]);
      const ts = Array.from({ length: 4 }, () => empty([7, 33]));
      for (const t of ts) expect((await read(t)).every(Number.isNaN)).toBe(true);
    });
  });
});

describe('shape errors', () => {
  it('matmul inner dimensions, ranks, batch dims, bias', () => {
    wt.tidy(() => {
      expect(() => wt.matmul(wt.zeros([2, 3]), wt.zeros([4, 5]))).toThrow(
        /matmul: inner dimensions differ: \[2,3\] · \[4,5\] \(3 vs 4\)/,
      );
      expect(() => wt.matmul(wt.zeros([2, 3]), wt.zeros([5, 4]), { transB: true })).toThrow(
        /inner dimensions differ.*\(3 vs 4\)/,
      );
      expect(() => wt.matmul(wt.zeros([3]), wt.zeros([3, 2]))).toThrow(/at least 2-D/);
      expect(() => wt.matmul(wt.zeros([2, 2, 3]), wt.zeros([3, 2, 4]))).toThrow(/batch dims differ/);
      expect(() => wt.matmul(wt.zeros([2, 3]), wt.zeros([3, 4]), { bias: wt.zeros([3]) })).toThrow(
        /bias must be \[4\]/,
      );
    });
  });
  it('broadcasting, reshape, layout ops, softmax mask, layerNorm, attention heads', () => {
    wt.tidy(() => {
      expect(() => wt.add(wt.zeros([2, 3]), wt.zeros([4]))).toThrow(/cannot broadcast \[2, 3\] with \[4\]/);
      expect(() => wt.mul(wt.zeros([7, 1, 33]), wt.zeros([129, 2]))).toThrow(/cannot broadcast/);
      expect(() => wt.broadcastTo(wt.zeros([3]), [3, 4])).toThrow(/cannot broadcast/);
      expect(() => wt.zeros([6]).reshape([4, 2])).toThrow(/cannot view 6 elements as \[4, 2\]/);
      expect(() => wt.permute(wt.zeros([2, 3]), [0, 0])).toThrow(/not a permutation/);
      expect(() => wt.narrow(wt.zeros([2, 3]), 1, 2, 2)).toThrow(/outside axis 1/);
      expect(() => wt.sum(wt.zeros([2, 3]), 2)).toThrow(/axis 2 out of range/);
      expect(() => wt.softmax(wt.zeros([2, 3]), { mask: wt.zeros([2, 4], 'i32') })).toThrow(
        /mask must be int32 \[2, 3\]/,
      );
      expect(() => wt.softmax(wt.zeros([2, 3]), { mask: wt.zeros([2, 3]) })).toThrow(/mask must be int32/);
      expect(() => wt.layerNorm(wt.zeros([2, 3]), wt.ones([4]), wt.zeros([3]))).toThrow(/must have 3 elements/);
      expect(() => wt.attentionScores(wt.zeros([1, 2, 6]), wt.zeros([1, 2, 6]), 4)).toThrow(/H = 4/);
      expect(() => wt.attentionContext(wt.zeros([1, 2, 3, 4]), wt.zeros([1, 3, 4]), 2)).toThrow(
        /probs must be \[1, 2, 3, 3\]/,
      );
      expect(() => wt.embedding(wt.zeros([5, 2]), wt.zeros([3]))).toThrow(/ids must be int32/);
      expect(() => wt.add(wt.zeros([2], 'i32'), wt.zeros([2]))).toThrow(/expected a float32 tensor/);
    });
  });
  it('using a disposed tensor is an error', () => {
    const t = wt.zeros([2]);
    t.dispose();
    expect(() => wt.neg(t)).toThrow(/used after dispose/);
  });
});
