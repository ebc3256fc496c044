// The kernel contract (src/runtime/kernel_def.ts): a descriptor whose bindings, uniforms, constants or entry point
// differ from its WGSL is a KernelError naming what differs, at pipeline creation; uniforms are packed by WGSL's
// layout rules (checked against hand-computed offsets and against what a kernel reads); bindings go by name, with
// placeholders for optional ones; cache keys follow the parameters. Also: no dispatch site packs or binds by hand.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { UniformLayout } from '../src/runtime/uniform_layout.js';

beforeAll(async () => {
  await gpu();
});

const SCALE_WGSL = `
override OP: u32 = 0u;
struct Params { n: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < p.n) { y[gid.x] = select(p.alpha * x[gid.x], x[gid.x] + p.alpha, OP == 1u); }
}`;

/** The descriptor SCALE_WGSL matches; `change` alters one part of it. */
function scaleKernel(name: string, change: Partial<wt.KernelSpec<{ op: number }, string, string, string>> = {}) {
  return wt.defineKernel({
    name,
    source: SCALE_WGSL,
    bindings: { x: 'read', y: 'read_write' },
    uniforms: { n: 'u32', alpha: 'f32' },
    constants: (p: { op: number }) => ({ OP: p.op }),
    ...change,
  } as wt.KernelSpec<{ op: number }, string, string, string>);
}

/** The KernelError that creating def's pipeline raises (before anything is compiled or encoded). */
async function creationError(
  def: wt.KernelDef<{ op: number }, string, string, string>,
  entry?: string,
): Promise<Error> {
  const rt = wt.runtime();
  const before = rt.dispatchCount;
  const err = await rt.compile(def, { op: 0 }, entry).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(wt.KernelError);
  expect(rt.dispatchCount).toBe(before);
  return err as Error;
}

describe('a descriptor that differs from its WGSL is an error at pipeline creation', () => {
  it('the matching descriptor compiles and runs (the baseline of the cases below)', async () => {
    const def = scaleKernel('contract_ok');
    await wt.runtime().compile(def, { op: 0 });
    const y = await wt.tidyAsync(async () => {
      const x = wt.tensor([1, 2, 3]);
      const out = wt.zeros([3]);
      wt.runtime().dispatch(def, {
        params: { op: 1 },
        bindings: { x: x.binding, y: out.binding },
        uniforms: { n: 3, alpha: 0.5 },
        grid: [1],
      });
      return out.array();
    });
    expect(y).toEqual([1.5, 2.5, 3.5]);
  });

  it('a binding access that differs names the binding and both accesses', async () => {
    const err = await creationError(scaleKernel('contract_access', { bindings: { x: 'read', y: 'read' } }));
    expect(err.message).toMatch(/contract_access/);
    expect(err.message).toMatch(
      /binding "y" \(@binding\(1\)\) is var<storage, read_write> in the WGSL but var<storage, read> in the descriptor/,
    );
  });

  it('a binding name or position that differs', async () => {
    const swapped = await creationError(scaleKernel('contract_order', { bindings: { y: 'read_write', x: 'read' } }));
    expect(swapped.message).toMatch(/@binding\(0\) is "x" in the WGSL but "y" in the descriptor/);
    const extra = await creationError(
      scaleKernel('contract_extra', { bindings: { x: 'read', y: 'read_write', z: 'read' } }),
    );
    expect(extra.message).toMatch(/@binding\(2\) is "p" in the WGSL but "z" in the descriptor/);
    const missing = await creationError(scaleKernel('contract_missing', { bindings: { x: 'read' } }));
    expect(missing.message).toMatch(
      /the WGSL declares @binding\(1\) "y" \(var<storage, read_write>\), which the descriptor lacks/,
    );
  });

  it('a uniform field whose name, type or order differs names the field', async () => {
    const type = await creationError(scaleKernel('contract_utype', { uniforms: { n: 'u32', alpha: 'u32' } }));
    expect(type.message).toMatch(
      /uniform field 1 of struct Params is "alpha: f32" in the WGSL but "alpha: u32" in the descriptor/,
    );
    const order = await creationError(scaleKernel('contract_uorder', { uniforms: { alpha: 'f32', n: 'u32' } }));
    expect(order.message).toMatch(/uniform field 0 of struct Params is "n: u32" in the WGSL but "alpha: f32"/);
    const fewer = await creationError(scaleKernel('contract_ufewer', { uniforms: { n: 'u32' } }));
    expect(fewer.message).toMatch(/uniform field 1 .* is "alpha: f32" in the WGSL but missing in the descriptor/);
    const none = await creationError(scaleKernel('contract_unone', { uniforms: undefined }));
    expect(none.message).toMatch(/@binding\(2\) "p" \(var<uniform>\), which the descriptor lacks/);
  });

  it('an override constant or an entry point the WGSL lacks', async () => {
    const constant = await creationError(scaleKernel('contract_const', { constants: () => ({ OPS: 1 }) }));
    expect(constant.message).toMatch(/constant "OPS" is not an override the WGSL declares/);
    const entry = await creationError(
      scaleKernel('contract_entry', { entryPoints: { forward: ['x', 'y'] } }),
      'forward',
    );
    expect(entry.message).toMatch(/entry point "forward" is not a @compute function of the WGSL \(it has main\)/);
  });

  it('dispatch throws the same error, before encoding anything', () => {
    const rt = wt.runtime();
    const before = rt.dispatchCount;
    const def = scaleKernel('contract_dispatch', { bindings: { x: 'read_write', y: 'read_write' } });
    wt.tidy(() => {
      const t = wt.zeros([4]);
      expect(() =>
        rt.dispatch(def, {
          params: { op: 0 },
          bindings: { x: t.binding, y: wt.zeros([4]).binding },
          uniforms: { n: 4, alpha: 1 },
          grid: [1],
        }),
      ).toThrow(
        /contract_dispatch.*binding "x" \(@binding\(0\)\) is var<storage, read> in the WGSL but var<storage, read_write>/,
      );
    });
    expect(rt.dispatchCount).toBe(before);
  });
});

describe('bindings by name', () => {
  const def = wt.defineKernel({
    name: 'contract_bindings',
    source: `struct Params { n: u32, has_b: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < p.n) { out[gid.x] = a[gid.x] + select(0.0, b[gid.x], p.has_b == 1u); }
}
@compute @workgroup_size(64)
fn negate(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < p.n) { out[gid.x] = -a[gid.x]; }
}`,
    bindings: { a: 'read', b: { access: 'read', optional: true }, out: 'read_write' },
    uniforms: { n: 'u32', has_b: 'u32' },
    entryPoints: { main: ['a', 'b', 'out'], negate: ['a', 'out'] },
  });

  it('an optional binding left out gets a placeholder; an entry point binds only what it uses', async () => {
    const [sum, alone, negated] = await wt.tidyAsync(async () => {
      const a = wt.tensor([1, 2]);
      const b = wt.tensor([10, 20]);
      const outs = [wt.zeros([2]), wt.zeros([2]), wt.zeros([2])];
      const rt = wt.runtime();
      rt.dispatch(def, {
        bindings: { a: a.binding, b: b.binding, out: outs[0].binding },
        uniforms: { n: 2, has_b: 1 },
        grid: [1],
      });
      rt.dispatch(def, { bindings: { a: a.binding, out: outs[1].binding }, uniforms: { n: 2, has_b: 0 }, grid: [1] });
      // b is given but negate does not use it: it is not bound (an 'auto'-style layout would reject it).
      rt.dispatch(def, {
        entry: 'negate',
        bindings: { a: a.binding, b: b.binding, out: outs[2].binding },
        uniforms: { n: 2, has_b: 0 },
        grid: [1],
      });
      return Promise.all(outs.map((o) => o.array()));
    });
    expect(sum).toEqual([11, 22]);
    expect(alone).toEqual([1, 2]);
    expect(negated).toEqual([-1, -2]);
  });

  it('a required binding left out, an unknown name, a texture where a buffer goes: errors naming the binding', () => {
    const rt = wt.runtime();
    wt.tidy(() => {
      const a = wt.zeros([2]);
      expect(() => rt.dispatch(def, { bindings: { a: a.binding }, uniforms: { n: 2, has_b: 0 }, grid: [1] })).toThrow(
        /contract_bindings.*binding "out" is not given \(entry point "main" uses it\)/,
      );
      expect(() =>
        rt.dispatch(def, {
          bindings: { a: a.binding, out: wt.zeros([2]).binding, c: a.binding } as never,
          uniforms: { n: 2, has_b: 0 },
          grid: [1],
        }),
      ).toThrow(/unknown binding "c" \(its bindings: a, b, out\)/);
      expect(() =>
        rt.dispatch(def, {
          bindings: { a: a.binding, out: wt.zeros([2]).binding },
          uniforms: { n: 2 } as never,
          grid: [1],
        }),
      ).toThrow(/uniform "has_b" \(u32\) is not given/);
    });
  });
});

describe('uniform packing follows WGSL layout rules', () => {
  // Hand-computed (WGSL spec, uniform address space): a f32 @0; b vec3<f32> align 16 @16 (12 bytes); c u32 @28;
  // d vec2<u32> align 8 @32; e i32 @40; f array<vec4<u32>, 2> align 16 @48 (32 bytes); g f32 @80; size
  // roundUp(16, 84) = 96.
  const FIELDS = {
    a: 'f32',
    b: 'vec3<f32>',
    c: 'u32',
    d: 'vec2<u32>',
    e: 'i32',
    f: 'array<vec4<u32>, 2>',
    g: 'f32',
  } as const;
  const VALUES = { a: 1.5, b: [2, 3, 4], c: 5, d: [6, 7], e: -8, f: [9, 10, 11, 12, 13, 14, 15, 16], g: 17.5 };

  it('offsets and size of a vec / f32 / u32 / array mix', () => {
    const layout = new UniformLayout('mix', FIELDS);
    expect(layout.fields.map((f) => [f.name, f.offset])).toEqual([
      ['a', 0],
      ['b', 16],
      ['c', 28],
      ['d', 32],
      ['e', 40],
      ['f', 48],
      ['g', 80],
    ]);
    expect(layout.size).toBe(96);
    const view = new DataView(new ArrayBuffer(128));
    layout.write(view, 16, VALUES); // at an offset: the slot of one dispatch in the uniform ring
    expect(view.getFloat32(16 + 0, true)).toBe(1.5);
    expect([0, 4, 8].map((o) => view.getFloat32(16 + 16 + o, true))).toEqual([2, 3, 4]);
    expect(view.getUint32(16 + 28, true)).toBe(5);
    expect([view.getUint32(16 + 32, true), view.getUint32(16 + 36, true)]).toEqual([6, 7]);
    expect(view.getInt32(16 + 40, true)).toBe(-8);
    expect(Array.from({ length: 8 }, (_, i) => view.getUint32(16 + 48 + 4 * i, true))).toEqual([
      9, 10, 11, 12, 13, 14, 15, 16,
    ]);
    expect(view.getFloat32(16 + 80, true)).toBe(17.5);
  });

  it('a kernel reads back every field where it was packed', async () => {
    const def = wt.defineKernel({
      name: 'contract_uniform_mix',
      source: `struct Params { a: f32, b: vec3<f32>, c: u32, d: vec2<u32>, e: i32, f: array<vec4<u32>, 2>, g: f32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@compute @workgroup_size(1)
fn main() {
  out[0] = p.a; out[1] = p.b.x; out[2] = p.b.y; out[3] = p.b.z; out[4] = f32(p.c);
  out[5] = f32(p.d.x); out[6] = f32(p.d.y); out[7] = f32(p.e);
  for (var i = 0u; i < 8u; i++) { out[8u + i] = f32(p.f[i / 4u][i % 4u]); }
  out[16] = p.g;
}`,
      bindings: { out: 'read_write' },
      uniforms: FIELDS,
    });
    const got = await wt.tidyAsync(async () => {
      const out = wt.full([17], NaN);
      wt.runtime().dispatch(def, { bindings: { out: out.binding }, uniforms: VALUES, grid: [1] });
      return out.array();
    });
    expect(got).toEqual([1.5, 2, 3, 4, 5, 6, 7, -8, 9, 10, 11, 12, 13, 14, 15, 16, 17.5]);
  });

  it('a short array is zero-filled; wrong kinds, lengths, ranges and names are errors naming the field', () => {
    const layout = new UniformLayout('errs', { n: 'u32', k: 'i32', s: 'array<vec4<u32>, 2>' });
    const view = new DataView(new ArrayBuffer(64));
    new Uint8Array(view.buffer).fill(0xff);
    layout.write(view, 0, { n: 1, k: -1, s: [3, 4] });
    expect(Array.from({ length: 8 }, (_, i) => view.getUint32(16 + 4 * i, true))).toEqual([3, 4, 0, 0, 0, 0, 0, 0]);
    expect(() => layout.write(view, 0, { n: -1, k: 0, s: [] })).toThrow(/errs.*uniform "n" is u32, got -1/);
    expect(() => layout.write(view, 0, { n: 1.5, k: 0, s: [] })).toThrow(/uniform "n" is u32, got 1.5/);
    expect(() => layout.write(view, 0, { n: 1, k: 2 ** 31, s: [] })).toThrow(/uniform "k" is i32/);
    expect(() => layout.write(view, 0, { n: 1, k: 0, s: Array(9).fill(0) })).toThrow(
      /uniform "s" .* holds 8 values, got 9/,
    );
    expect(() => layout.write(view, 0, { n: [1], k: 0, s: [] })).toThrow(/uniform "n" \(u32\) takes a number/);
    expect(() => layout.write(view, 0, { n: 1, k: 0, s: [], extra: 1 })).toThrow(/unknown uniform "extra"/);
    expect(() => new UniformLayout('bad', { a: 'array<f32, 4>' as never })).toThrow(
      /uniform "a" has type "array<f32, 4>"/,
    );
  });
});

describe('cache keys derive from the parameters', () => {
  it('differ when a parameter or the entry point differs, coincide when not', () => {
    const def = scaleKernel('contract_keys');
    expect(def.key({ op: 1 })).not.toBe(def.key({ op: 2 }));
    expect(def.key({ op: 1 })).toBe(def.key({ op: 1 }));
    expect(def.key({ op: 1 }, 'main')).not.toBe(def.key({ op: 1 }, 'other'));
    const multi = wt.defineKernel({
      name: 'contract_keys2',
      source: '',
      bindings: {},
      constants: (p: { a: number; b?: string }) => ({ A: p.a }),
    });
    expect(multi.key({ a: 1, b: 'x' })).toBe(multi.key({ b: 'x', a: 1 })); // order does not matter
    expect(multi.key({ a: 1, b: undefined })).toBe(multi.key({ a: 1 })); // an absent parameter is absent
    expect(multi.key({ a: 1, b: 'x' })).not.toBe(multi.key({ a: 1 }));
  });

  it('a generated source is made once per parameter set, and a pipeline created once per key', async () => {
    let made = 0;
    const def = wt.defineKernel({
      name: 'contract_generated',
      source: (p: { k: number }) => {
        made++;
        return `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1)
fn main() { out[0] = ${p.k}.0; }`;
      },
      bindings: { out: 'read_write' },
    });
    const rt = wt.runtime();
    const pipelines = rt.pipelineCount;
    const values = await wt.tidyAsync(async () => {
      const outs = [1, 1, 2, 1].map((k) => {
        const out = wt.zeros([1]);
        rt.dispatch(def, { params: { k }, bindings: { out: out.binding }, grid: [1] });
        return out;
      });
      return Promise.all(outs.map((o) => o.item()));
    });
    expect(values).toEqual([1, 1, 2, 1]);
    expect(made).toBe(2);
    expect(rt.pipelineCount - pipelines).toBe(2);
  });
});

describe('no dispatch site binds positionally or packs uniforms by hand', () => {
  it('every runtime().dispatch call in src/ and bench/ passes a descriptor and named arguments', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk('src');
    walk('bench');
    const offenders: string[] = [];
    let calls = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\.dispatch\(\s*([A-Za-z_.]+)\s*,\s*(\S)/g)) {
        if (f.endsWith('runtime.ts')) continue;
        calls++;
        if (m[2] !== '{') offenders.push(`${f}: ${m[0]}`);
      }
      if (/new (wt\.)?Uniforms\(|dummyBinding\(/.test(text))
        offenders.push(`${f}: hand-packed uniforms or a dummy binding`);
    }
    expect(offenders).toEqual([]);
    expect(calls).toBeGreaterThan(30);
  });
});
