// Float64 references for the layout ops: permute / transpose / narrow / broadcastTo.
import { broadcastIndex, broadcastShape, nd, sizeOf, stridesOf, unravel, type NdArray } from './nd.js';

export function permute(x: NdArray, perm: readonly number[]): NdArray {
  const shape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    let src = 0;
    for (let d = 0; d < idx.length; d++) src += idx[d] * inStrides[perm[d]];
    out.data[i] = x.data[src];
  }
  return out;
}

export function transpose(x: NdArray, a = -2, b = -1): NdArray {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  const ia = a < 0 ? a + r : a;
  const ib = b < 0 ? b + r : b;
  [perm[ia], perm[ib]] = [perm[ib], perm[ia]];
  return permute(x, perm);
}

export function narrow(x: NdArray, axis: number, start: number, length: number): NdArray {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.map((d, i) => (i === ax ? length : d));
  const inStrides = stridesOf(x.shape);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    idx[ax] += start;
    out.data[i] = x.data[idx.reduce((s, v, d) => s + v * inStrides[d], 0)];
  }
  return out;
}

export function broadcastTo(x: NdArray, shape: readonly number[]): NdArray {
  if (broadcastShape(x.shape, shape).join() !== shape.join())
    throw new Error(`reference: [${x.shape}] does not broadcast to [${shape}]`);
  const out = nd(shape);
  for (let i = 0; i < sizeOf(shape); i++) out.data[i] = x.data[broadcastIndex(unravel(i, shape), x.shape)];
  return out;
}

export function concat(xs: NdArray[], axis: number): NdArray {
  const ax = axis < 0 ? axis + xs[0].shape.length : axis;
  const shape = xs[0].shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[ax], 0) : d));
  const out = nd(shape);
  const outStrides = stridesOf(shape);
  let at = 0;
  for (const x of xs) {
    for (let i = 0; i < x.data.length; i++) {
      const idx = unravel(i, x.shape);
      idx[ax] += at;
      out.data[idx.reduce((s, v, d) => s + v * outStrides[d], 0)] = x.data[i];
    }
    at += x.shape[ax];
  }
  return out;
}
