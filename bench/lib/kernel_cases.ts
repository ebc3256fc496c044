// The kernels of a DistilBERT training step at B·T tokens (B = 16·scale, T = 128), as bench cases: each sets up its
// inputs once and returns a `run` that encodes one call (outputs returned for disposal).
import * as wt from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

export interface Case {
  name: string;
  kind: 'matmul' | 'memory';
  /** Floating-point operations (matmul) or bytes moved at minimum (memory-bound kernels) per call. */
  work: number;
  /** Products of f16 operands (autocast): their share of peak is of the f16 matrix peak. */
  half?: boolean;
  setup(): { run(): (Tensor | null | undefined)[]; dispose(): void };
}

export interface Dims {
  batch: number;
  seq: number;
  tokens: number;
  hidden: number;
  ffn: number;
  heads: number;
  vocab: number;
  params: number;
}

export function dims(scale: number): Dims {
  const batch = Math.max(1, Math.round(16 * scale));
  const seq = 128;
  return {
    batch,
    seq,
    tokens: batch * seq,
    hidden: 768,
    ffn: 3072,
    heads: 12,
    vocab: 30522,
    params: Math.round(67_000_000 * scale),
  };
}

let seed = 1;
const rand = (shape: number[], grad = false): Tensor => {
  const t = wt.randUniform(shape, seed++, -1, 1).keep();
  return grad ? t.requireGrad() : t;
};

/** y = op(x) with autograd recorded once; the case times y's backward alone. */
function backwardCase(
  name: string,
  kind: Case['kind'],
  work: number,
  make: () => { inputs: Tensor[]; out: Tensor },
): Case {
  return {
    name,
    kind,
    work,
    setup() {
      const { inputs, out } = make();
      const g = rand([...out.shape]);
      const node = out.gradFn!;
      return {
        run: () => node.backward(g),
        dispose: () => {
          out.dispose();
          g.dispose();
          inputs.forEach((t) => t.dispose());
        },
      };
    },
  };
}

/** fn with the runtime's profiler off: harness work (a fresh root gradient) left out of a timestamp-timed sample. */
function untimed<T>(fn: () => T): T {
  const rt = wt.runtime();
  const profiler = rt.profiler;
  rt.profiler = undefined;
  try {
    return fn();
  } finally {
    rt.profiler = profiler;
  }
}

/** y = f(inputs) recorded once; the case times the whole graph's backward (every node from y back to the inputs). */
function graphBackwardCase(
  name: string,
  kind: Case['kind'],
  work: number,
  make: () => { inputs: Tensor[]; out: Tensor },
): Case {
  return {
    name,
    kind,
    work,
    setup() {
      const { inputs, out } = make();
      const g = rand([...out.shape]);
      return {
        run: () => {
          wt.backward(
            out,
            untimed(() => wt.clone(g)),
          ); // backward() consumes (disposes) the root gradient
          return inputs.map((t) => {
            const grad = t.grad;
            t.grad = undefined; // handed back for disposal, so the next call starts from no gradient
            return grad;
          });
        },
        dispose: () => {
          out.dispose();
          g.dispose();
          inputs.forEach((t) => t.dispose());
        },
      };
    },
  };
}

/** `x` stored as float16 (the f32 original freed), or x itself. */
const halfOf = (x: Tensor, half: boolean): Tensor => {
  if (!half) return x;
  const h = wt.cast(x, 'f16').keep();
  x.dispose();
  return h;
};

/**
 * op(a)·op(b); halfB: b stored as float16 (a Linear weight under setMatmulDtype('f16')); halfA too: both f16, the
 * autocast product of mixed precision (subgroup matrices where the adapter has them).
 */
export function matmulCase(
  name: string,
  m: number,
  n: number,
  k: number,
  aShape: number[],
  bShape: number[],
  opts: wt.MatmulOptions,
  halfB = false,
  halfA = false,
): Case {
  return {
    name,
    kind: 'matmul',
    work: 2 * m * n * k,
    half: halfA && halfB,
    setup() {
      const a = halfOf(rand(aShape), halfA);
      const b = halfOf(rand(bShape), halfB);
      return {
        run: () => [wt.matmul(a, b, opts)],
        dispose: () => {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

/**
 * Products of mixed precision (both operands f16) at the Linear shapes, forward and both gradients, and the 4096³
 * products (f32 and f16) the issue measures against the card's peak. GPUs only (and --full): on lavapipe halves
 * compute no faster and a 4096³ product takes seconds. The f16 ones need shader-f16.
 */
function gpuMatmulCases(T: number, H: number, F: number): Case[] {
  const n = 4096;
  const cases = [
    matmulCase(`matmul f32 ${n}³`, n, n, n, [n, n], [n, n], {}),
    matmulCase(`matmul f16 ${n}³`, n, n, n, [n, n], [n, n], {}, true, true),
    matmulCase(`f16 linear x[${T},${H}]·W[${F},${H}]ᵀ`, T, F, H, [T, H], [F, H], { transB: true }, true, true),
    matmulCase(`f16 linear x[${T},${F}]·W[${H},${F}]ᵀ`, T, H, F, [T, F], [H, F], { transB: true }, true, true),
    matmulCase(`f16 dX dY[${T},${F}]·W[${F},${H}]`, T, H, F, [T, F], [F, H], {}, true, true),
    matmulCase(`f16 dW dY[${T},${F}]ᵀ·X[${T},${H}]`, F, H, T, [T, F], [T, H], { transA: true }, true, true),
  ];
  return cases.filter((c) => !c.half || wt.runtime().features.has('shader-f16'));
}

export function kernelCases(d: Dims): Case[] {
  const { tokens: T, hidden: H, ffn: F, batch: B, seq: S, heads: NH } = d;
  const hd = H / NH;
  const BH = B * NH;
  const cases: Case[] = [
    // Linear forward: x · Wᵀ (NT)
    matmulCase(`linear x[${T},${H}]·W[${H},${H}]ᵀ`, T, H, H, [T, H], [H, H], { transB: true }),
    matmulCase(`linear x[${T},${H}]·W[${F},${H}]ᵀ`, T, F, H, [T, H], [F, H], { transB: true }),
    matmulCase(`linear x[${T},${F}]·W[${H},${F}]ᵀ`, T, H, F, [T, F], [H, F], { transB: true }),
    // The same with the weight read as f16 (setMatmulDtype('f16'), TrainingArguments.fp16), where shader-f16 exists
    ...(wt.runtime().features.has('shader-f16')
      ? [matmulCase(`linear f16 W x[${T},${H}]·W16[${F},${H}]ᵀ`, T, F, H, [T, H], [F, H], { transB: true }, true)]
      : []),
    ...(wt.runtime().info.isSoftware ? [] : gpuMatmulCases(T, H, F)),
    // lin1 with its GELU fused into the epilogue (no pre-activation kept: no gradient here), vs linear + gelu rows
    matmulCase(`linear+gelu x[${T},${H}]·W[${F},${H}]ᵀ`, T, F, H, [T, H], [F, H], { transB: true, activation: 'gelu' }),
    // Linear backward, input gradient: dY · W (NN)
    matmulCase(`dX dY[${T},${H}]·W[${H},${H}]`, T, H, H, [T, H], [H, H], {}),
    matmulCase(`dX dY[${T},${F}]·W[${F},${H}]`, T, H, F, [T, F], [F, H], {}),
    matmulCase(`dX dY[${T},${H}]·W[${H},${F}]`, T, F, H, [T, H], [H, F], {}),
    // Linear backward, weight gradient: dYᵀ · X (TN, K = tokens)
    matmulCase(`dW dY[${T},${H}]ᵀ·X[${T},${H}]`, H, H, T, [T, H], [T, H], { transA: true }),
    matmulCase(`dW dY[${T},${F}]ᵀ·X[${T},${H}]`, F, H, T, [T, F], [T, H], { transA: true }),
    matmulCase(`dW dY[${T},${H}]ᵀ·X[${T},${F}]`, H, F, T, [T, H], [T, F], { transA: true }),
    // Attention: [B·H, T, D] · [B·H, D, T] and back, heads read in place from [B, T, H·D]
    {
      name: `attn scores [${BH},${S},${hd}]·[${BH},${hd},${S}]`,
      kind: 'matmul',
      work: 2 * BH * S * S * hd,
      setup() {
        const q = rand([B, S, H]);
        const k = rand([B, S, H]);
        return {
          run: () => [wt.attentionScores(q, k, NH, 1 / Math.sqrt(hd))],
          dispose: () => {
            q.dispose();
            k.dispose();
          },
        };
      },
    },
    backwardCase(`attn scores backward (dQ, dK)`, 'matmul', 2 * 2 * BH * S * S * hd, () => {
      const q = rand([B, S, H], true);
      const k = rand([B, S, H], true);
      return { inputs: [q, k], out: wt.attentionScores(q, k, NH, 0.125) };
    }),
    {
      name: `attn context [${BH},${S},${S}]·[${BH},${S},${hd}]`,
      kind: 'matmul',
      work: 2 * BH * S * S * hd,
      setup() {
        const p = rand([B, NH, S, S]);
        const v = rand([B, S, H]);
        return {
          run: () => [wt.attentionContext(p, v, NH)],
          dispose: () => {
            p.dispose();
            v.dispose();
          },
        };
      },
    },
    backwardCase(`attn context backward (dP, dV)`, 'matmul', 2 * 2 * BH * S * S * hd, () => {
      const p = rand([B, NH, S, S], true);
      const v = rand([B, S, H], true);
      return { inputs: [p, v], out: wt.attentionContext(p, v, NH) };
    }),
    // Whole self-attention (scores, mask, softmax, dropout 0.1, context), unfused vs fused (flash) kernels; work =
    // the two products' FLOPs (the fused backward also recomputes the scores, not counted).
    ...(['unfused', 'fused'] as const).flatMap((kernel) => {
      const attention = (q: Tensor, k: Tensor, v: Tensor, mask: Tensor, rng: wt.DropoutRng): Tensor => {
        return wt.withSettings({ attentionKernel: kernel }, () =>
          wt.selfAttention(q, k, v, NH, { scale: 1 / Math.sqrt(hd), mask, dropout: { p: 0.1, rng } }),
        );
      };
      const qkv = (grad: boolean) => [rand([B, S, H], grad), rand([B, S, H], grad), rand([B, S, H], grad)];
      const ones = () => wt.tensor(new Int32Array(B * S).fill(1), [B, S], 'i32').keep();
      return [
        {
          name: `self-attention ${kernel} [${B},${S},${NH}×${hd}]`,
          kind: 'matmul' as const,
          work: 4 * BH * S * S * hd,
          setup() {
            const [q, k, v] = qkv(false);
            const mask = ones();
            const rng = new wt.DropoutRng(3);
            return {
              run: () => [attention(q, k, v, mask, rng)],
              dispose: () => [q, k, v, mask].forEach((t) => t.dispose()),
            };
          },
        },
        graphBackwardCase(`self-attention ${kernel} backward`, 'matmul', 8 * BH * S * S * hd, () => {
          const inputs = qkv(true);
          const mask = ones();
          return {
            inputs: [...inputs, mask],
            out: attention(inputs[0], inputs[1], inputs[2], mask, new wt.DropoutRng(3)),
          };
        }),
      ];
    }),
    // Memory-bound kernels: bytes = one read of each input + one write of each output.
    {
      name: `softmax [${BH},${S},${S}] masked`,
      kind: 'memory',
      work: 2 * 4 * BH * S * S,
      setup() {
        const x = rand([B, NH, S, S]);
        const mask = wt.tensor(new Int32Array(B * S).fill(1), [B, S], 'i32').keep();
        return {
          run: () => [wt.softmax(x, { mask, scale: 0.125 })],
          dispose: () => {
            x.dispose();
            mask.dispose();
          },
        };
      },
    },
    backwardCase(`softmax backward [${BH},${S},${S}]`, 'memory', 3 * 4 * BH * S * S, () => {
      const x = rand([B, NH, S, S], true);
      return { inputs: [x], out: wt.softmax(x) };
    }),
  ];
  for (const C of [H, F]) {
    cases.push(
      {
        name: `layernorm [${T},${C}]`,
        kind: 'memory',
        work: 2 * 4 * T * C,
        setup() {
          const x = rand([T, C]);
          const g = rand([C]);
          const b = rand([C]);
          return {
            run: () => [wt.layerNorm(x, g, b, 1e-12)],
            dispose: () => {
              x.dispose();
              g.dispose();
              b.dispose();
            },
          };
        },
      },
      backwardCase(`layernorm backward [${T},${C}]`, 'memory', 3 * 4 * T * C, () => {
        const x = rand([T, C], true);
        const g = rand([C], true);
        const b = rand([C], true);
        return { inputs: [x, g, b], out: wt.layerNorm(x, g, b, 1e-12) };
      }),
      {
        name: `gelu [${T},${C}]`,
        kind: 'memory',
        work: 2 * 4 * T * C,
        setup() {
          const x = rand([T, C]);
          return { run: () => [wt.gelu(x)], dispose: () => x.dispose() };
        },
      },
      backwardCase(`gelu backward [${T},${C}]`, 'memory', 3 * 4 * T * C, () => {
        const x = rand([T, C], true);
        return { inputs: [x], out: wt.gelu(x) };
      }),
    );
  }
  cases.push(
    {
      // p, g, m, v read; p, m, v written: 28 bytes per parameter.
      name: `adamw ${(d.params / 1e6).toFixed(1)}M params`,
      kind: 'memory',
      work: 28 * d.params,
      setup() {
        // As parameter tensors of at most 16M values (DistilBERT's largest, the word embeddings, is 23M): a single
        // 67M-value tensor would exceed the binding limit of many adapters (lavapipe: 128 MiB).
        const chunk = 16 * 2 ** 20;
        const params = Array.from({ length: Math.ceil(d.params / chunk) }, (_, i) => {
          const p = wt
            .full([Math.min(chunk, d.params - i * chunk)], 0.01)
            .keep()
            .requireGrad();
          p.grad = wt.full(p.shape, 0.001).keep();
          return p;
        });
        const opt = new wt.AdamW(params, { lr: 1e-4 });
        return {
          run: () => {
            opt.stepWith(1e-4);
            return [];
          },
          dispose: () => {
            opt.dispose();
            for (const p of params) {
              p.grad?.dispose();
              p.dispose();
            }
          },
        };
      },
    },
    {
      // dy read once; the [V, C] gradient written once: its zero fill (a clearBuffer, outside any compute pass) is
      // timed with the scatter since bench version 2, which had left ~94 of the ~100 MB counted at full shapes untimed.
      name: `embedding backward [${T},${H}]→[${d.vocab},${H}]`,
      kind: 'memory',
      work: 4 * (T * H + d.vocab * H),
      setup() {
        const ids = new Int32Array(T);
        for (let i = 0; i < T; i++) ids[i] = (i * 7919) % d.vocab;
        const idT = wt.tensor(ids, [T], 'i32').keep();
        const dy = rand([T, H]);
        return {
          run: () => [wt.embeddingBackward(idT, dy, d.vocab, H, 0)],
          dispose: () => {
            idT.dispose();
            dy.dispose();
          },
        };
      },
    },
  );
  return cases;
}
