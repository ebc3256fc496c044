// Shared by the matmul tests (f32 fast paths, f16 operands): seeded inputs, a float64 reference product and the
// relative error measure they are compared with.

/** n values uniform in [-1, 1) from a seeded LCG (the same stream for the same seed). */
export function randArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** float64 C[b] = op(A[b]) · op(B[b]) (+ bias): a is [b, M, K] or [b, K, M] (transA), b is [b, K, N] or [b, N, K]. */
export function refMatmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  bShared: boolean,
  bias?: ArrayLike<number>,
): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const ao = z * m * k;
    const bo = bShared ? 0 : z * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) {
          const av = transA ? a[ao + t * m + i] : a[ao + i * k + t];
          const bv = transB ? b[bo + j * k + t] : b[bo + t * n + j];
          s += av * bv;
        }
        c[z * m * n + i * n + j] = s + (bias ? bias[j] : 0);
      }
    }
  }
  return c;
}

/** max |got − want| / (1 + |want|); Infinity once any got is NaN (an unwritten, poisoned element). */
export function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
    e = Number.isNaN(got[i]) ? Infinity : Math.max(e, d);
  }
  return e;
}
