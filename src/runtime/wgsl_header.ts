// Reads a WGSL module's interface (group 0 bindings, the uniform struct, override constants, compute entry points)
// and compares it with a kernel descriptor, so that a binding, access, uniform field or entry point that differs
// between the TypeScript and the WGSL is an error at pipeline creation, naming what differs, instead of wrong data.
import type { BindingAccess, DeclaredInterface } from './types.js';

export interface WgslBinding {
  index: number;
  /** Every name declared at this index (a module may alias a binding, e.g. `x` and `x4`, for different entry points). */
  names: string[];
  access: BindingAccess | 'uniform' | 'other';
  /** The declared type (for a uniform: the struct's name). */
  type: string;
}

export interface WgslInterface {
  bindings: Map<number, WgslBinding>;
  structs: Map<string, { name: string; type: string }[]>;
  overrides: Set<string>;
  entryPoints: Set<string>;
}

/** The module's interface, read from its source text (comments ignored). */
export function readWgslInterface(code: string): WgslInterface {
  const src = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const bindings = new Map<number, WgslBinding>();
  const decl = /@group\(\s*0\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var\s*(?:<([^>]*)>)?\s*(\w+)\s*:\s*([^;]+);/g;
  for (const m of src.matchAll(decl)) {
    const index = Number(m[1]);
    const access = accessOf(m[2], m[4]);
    const type = m[4].replace(/\s+/g, '');
    const b = bindings.get(index);
    if (b) {
      b.names.push(m[3]);
      if (b.access !== access) b.access = 'other'; // aliases must agree; a mismatch is reported against the descriptor
    } else {
      bindings.set(index, { index, names: [m[3]], access, type });
    }
  }
  const structs = new Map<string, { name: string; type: string }[]>();
  for (const m of src.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) structs.set(m[1], splitFields(m[2]));
  const overrides = new Set([...src.matchAll(/\boverride\s+(\w+)/g)].map((m) => m[1]));
  const entryPoints = new Set([...src.matchAll(/@compute[^{;]*?\bfn\s+(\w+)/g)].map((m) => m[1]));
  return { bindings, structs, overrides, entryPoints };
}

function accessOf(space: string | undefined, type: string): WgslBinding['access'] {
  if (space === undefined) return /^texture_storage_2d<\s*\w+\s*,\s*read\s*>$/.test(type.trim()) ? 'texture' : 'other';
  const [as, mode = 'read'] = space.split(',').map((s) => s.trim());
  if (as === 'uniform') return 'uniform';
  if (as !== 'storage') return 'other';
  return mode === 'read' || mode === 'read_write' ? mode : 'other';
}

/** `a: u32, b: array<vec4<u32>, 2>` → fields, splitting on commas outside angle brackets. */
function splitFields(body: string): { name: string; type: string }[] {
  const fields: { name: string; type: string }[] = [];
  let depth = 0;
  let start = 0;
  const push = (text: string): void => {
    const m = /^\s*(\w+)\s*:\s*([\s\S]+?)\s*$/.exec(text);
    if (m) fields.push({ name: m[1], type: m[2].replace(/\s+/g, '') });
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === ',' && depth === 0) {
      push(body.slice(start, i));
      start = i + 1;
    }
  }
  push(body.slice(start));
  return fields;
}

export type { DeclaredInterface } from './types.js';

/**
 * The first difference between the declared interface and the WGSL's, as a sentence naming the binding, field,
 * constant or entry point; undefined when they agree. The uniform buffer is bound right after the storage bindings.
 */
export function interfaceMismatch(declared: DeclaredInterface, wgsl: WgslInterface): string | undefined {
  const n = declared.bindings.length;
  for (let i = 0; i < n; i++) {
    const want = declared.bindings[i];
    const got = wgsl.bindings.get(i);
    if (!got)
      return `binding "${want.name}" is @binding(${i}) in the descriptor, but the WGSL declares no @binding(${i})`;
    if (!got.names.includes(want.name)) {
      return `@binding(${i}) is "${got.names.join('" / "')}" in the WGSL but "${want.name}" in the descriptor`;
    }
    if (got.access !== want.access) {
      return `binding "${want.name}" (@binding(${i})) is ${describe(got.access)} in the WGSL but ${describe(want.access)} in the descriptor`;
    }
  }
  for (const [index, b] of wgsl.bindings) {
    if (index < n || (index === n && b.access === 'uniform' && declared.uniforms.length > 0)) continue;
    return (
      `the WGSL declares @binding(${index}) "${b.names.join('" / "')}" (${describe(b.access)}), which the descriptor lacks` +
      (b.access === 'uniform'
        ? ` (the uniform buffer goes at @binding(${n}), after the ${n} storage bindings, with its fields declared)`
        : '')
    );
  }
  if (declared.uniforms.length > 0) {
    const u = wgsl.bindings.get(n);
    if (!u || u.access !== 'uniform')
      return `the descriptor declares uniforms, but the WGSL has no var<uniform> at @binding(${n})`;
    const fields = wgsl.structs.get(u.type);
    if (!fields) return `the uniform's type "${u.type}" is not a struct declared in the WGSL`;
    const count = Math.max(fields.length, declared.uniforms.length);
    for (let i = 0; i < count; i++) {
      const [g, d] = [fields[i], declared.uniforms[i]];
      const gs = g ? `"${g.name}: ${g.type}"` : 'missing';
      const ds = d ? `"${d.name}: ${d.type.replace(/\s+/g, '')}"` : 'missing';
      if (gs !== ds) return `uniform field ${i} of struct ${u.type} is ${gs} in the WGSL but ${ds} in the descriptor`;
    }
  }
  for (const c of declared.constants)
    if (!wgsl.overrides.has(c)) return `constant "${c}" is not an override the WGSL declares`;
  if (!wgsl.entryPoints.has(declared.entry)) {
    return `entry point "${declared.entry}" is not a @compute function of the WGSL (it has ${[...wgsl.entryPoints].join(', ') || 'none'})`;
  }
  return undefined;
}

const describe = (access: WgslBinding['access']): string =>
  access === 'read'
    ? 'var<storage, read>'
    : access === 'read_write'
      ? 'var<storage, read_write>'
      : access === 'texture'
        ? 'a read-only storage texture'
        : access === 'uniform'
          ? 'var<uniform>'
          : 'of another kind';
