import { describe, expect, it, beforeAll } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';

beforeAll(async () => {
  await gpu();
});

describe('smoke', () => {
  it('matmul, softmax, layernorm, backward', async () => {
    const a = wt
      .tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
      .requireGrad();
    const b = wt
      .tensor([
        [1, 0],
        [0, 1],
        [1, 1],
      ])
      .requireGrad();
    const c = wt.matmul(a, b);
    expect(await c.array()).toEqual([4, 5, 10, 11]);
    const s = wt.sum(wt.mul(c, c));
    wt.backward(s);
    expect(await a.grad!.array()).toEqual([8, 10, 18, 20, 22, 42]);
    const p = wt.softmax(wt.tensor([[1, 2, 3]]));
    const pv = await p.array();
    expect(pv[2]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), 6);
    const ln = wt.layerNorm(wt.tensor([[1, 2, 3, 4]]), wt.ones([4]), wt.zeros([4]), 1e-12);
    const lv = await ln.array();
    expect(lv[0]).toBeCloseTo(-1.3416407, 5);
    await wt.runtime().sync();
  });
});
