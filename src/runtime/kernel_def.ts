// Kernel descriptors: what a WGSL kernel takes, declared once in TypeScript. A descriptor names its bindings in
// @binding order with their access, its uniform struct's fields with their WGSL types (packed by name:
// uniform_layout.ts), the bindings each entry point uses, and how its WGSL source, override constants and access
// modes derive from its template parameters. The runtime binds by name, packs uniforms by name and, when it creates
// a pipeline, checks the WGSL's interface against the descriptor (wgsl_header.ts). The pipeline-cache key is the
// descriptor's name, the entry point and the parameters: the only inputs the source and constants are made from.
import type { Binding, BindingAccess, DeclaredInterface } from './types.js';
import type { TextureBinding } from './texture_view.js';
import { UniformLayout, type UniformType, type UniformValue } from './uniform_layout.js';

/** read: var<storage, read>; read_write: var<storage, read_write>; texture: a read-only rgba32float storage texture. */
export type { BindingAccess } from './types.js';
/** Template parameters: flat values, each part of the pipeline-cache key. */
export type KernelParams = Readonly<Record<string, number | string | boolean | undefined>>;
type NoParams = Record<string, never>;

export interface BindingSpec<P> {
  /** A fixed access, or one chosen by the parameters (a matmul operand read from a buffer or a texture view). */
  access: BindingAccess | ((p: P) => BindingAccess);
  /**
   * The entry points use it, but a dispatch may leave it out (a mask or a bias that is not there this time): a
   * 16-byte placeholder of the same access is bound instead (never one buffer bound both ways: a usage conflict).
   */
  optional?: boolean;
}

export interface KernelSpec<P extends KernelParams, B extends string, U extends string, E extends string> {
  /** The kernel family's name: the cache key's first part, and the name profilers see (see `label`). */
  name: string;
  /** WGSL source: fixed, or generated from the parameters (generated once per pipeline). */
  source: string | ((p: P) => string);
  /** Storage bindings in @binding order (0, 1, …); the uniform buffer, when there are uniforms, follows them. */
  bindings: Record<B, BindingAccess | BindingSpec<P>>;
  /** The uniform struct's fields in declaration order, with their WGSL types. */
  uniforms?: Record<U, UniformType>;
  /** Compute entry points and the bindings each uses (default: `main`, using every binding). */
  entryPoints?: Record<E, readonly B[]>;
  /** Values of WGSL `override` constants. */
  constants?: (p: P) => Record<string, number>;
  /** The name profilers and errors see, when it should show parameters (generated kernels); `:entry` is appended. */
  label?: (p: P) => string;
}

export type Bindable = Binding | TextureBinding;

/** One dispatch's arguments, by name. Parameters are required when the kernel has any; so are its uniforms. */
export type DispatchArgs<P extends KernelParams, B extends string, U extends string, E extends string> = {
  /** Storage bindings by name: those the entry point uses (optional ones may be left out); others are ignored. */
  bindings: Partial<Record<B, Bindable>>;
  /** Workgroup counts. */
  grid: readonly [number, number?, number?];
  entry?: E;
} & ([U] extends [never] ? { uniforms?: undefined } : { uniforms: Record<U, UniformValue> }) &
  (NoParams extends P ? { params?: P } : { params: P });

/** One pipeline's resolved interface: the bindings its entry point uses, with their @binding index and access. */
export interface KernelInstance {
  key: string;
  label: string;
  entry: string;
  code: string;
  constants: Record<string, number> | undefined;
  bindings: readonly { name: string; index: number; access: BindingAccess; optional: boolean }[];
  /** The whole module's declared interface (what the WGSL check compares). */
  declared: DeclaredInterface;
  uniforms: UniformLayout | undefined;
}

export class KernelDef<
  P extends KernelParams = NoParams,
  B extends string = string,
  U extends string = never,
  E extends string = 'main',
> {
  readonly name: string;
  private readonly layout: UniformLayout | undefined;

  constructor(readonly spec: KernelSpec<P, B, U, E>) {
    this.name = spec.name;
    if (/[|:=]/.test(spec.name)) throw new Error(`kernel name "${spec.name}" may not contain | : or =`);
    this.layout =
      spec.uniforms && Object.keys(spec.uniforms).length ? new UniformLayout(spec.name, spec.uniforms) : undefined;
    const names = Object.keys(spec.bindings);
    for (const [entry, used] of Object.entries<readonly string[]>(spec.entryPoints ?? {})) {
      for (const b of used)
        if (!names.includes(b))
          throw new Error(
            `kernel "${spec.name}": entry point "${entry}" uses "${b}", which is not among its bindings (${names.join(', ')})`,
          );
    }
  }

  /** The pipeline-cache key of (entry point, parameters): parameters in name order, undefined ones left out. */
  key(params: P | undefined, entry: string = 'main'): string {
    let key = entry === 'main' ? this.name : `${this.name}:${entry}`;
    if (params) {
      for (const k of Object.keys(params).sort()) {
        const v = params[k];
        if (v !== undefined) key += `|${k}=${v}`;
      }
    }
    return key;
  }

  /** Resolves one pipeline's source, constants and bindings (once per key; the runtime caches it). */
  instance(params: P | undefined, entry: string = 'main'): KernelInstance {
    const p = (params ?? {}) as P;
    const { spec } = this;
    const entries = (spec.entryPoints ?? { main: Object.keys(spec.bindings) }) as Record<string, readonly string[]>;
    const used = entries[entry];
    if (!used)
      throw new Error(
        `kernel "${this.name}" has no entry point "${entry}" (it has ${Object.keys(entries).join(', ')})`,
      );
    const all = Object.entries<BindingAccess | BindingSpec<P>>(spec.bindings).map(([name, s], index) => {
      const b = typeof s === 'string' ? { access: s } : s;
      const access = typeof b.access === 'function' ? b.access(p) : b.access;
      return { name, index, access, optional: !!b.optional };
    });
    const constants = spec.constants?.(p);
    const label = (spec.label ? spec.label(p) : this.name) + (entry === 'main' ? '' : `:${entry}`);
    return {
      key: this.key(params, entry),
      label,
      entry,
      code: typeof spec.source === 'string' ? spec.source : spec.source(p),
      constants,
      bindings: all.filter((b) => used.includes(b.name)),
      declared: {
        bindings: all,
        uniforms: this.layout
          ? this.layout.fields.map((f) => ({ name: f.name, type: f.type.replace(/\s+/g, '') }))
          : [],
        constants: Object.keys(constants ?? {}),
        entry,
      },
      uniforms: this.layout,
    };
  }

  /** The bindings' declared names (tests, error messages). */
  get bindingNames(): string[] {
    return Object.keys(this.spec.bindings);
  }
}

/** The bind-group layout of one pipeline: the storage bindings its entry point uses, then the uniform buffer. */
export function layoutEntries(instance: KernelInstance): GPUBindGroupLayoutEntry[] {
  const visibility = GPUShaderStage.COMPUTE;
  const entries: GPUBindGroupLayoutEntry[] = instance.bindings.map((b) => ({
    binding: b.index,
    visibility,
    ...(b.access === 'texture'
      ? { storageTexture: { access: 'read-only', format: 'rgba32float', viewDimension: '2d' } as const }
      : { buffer: { type: b.access === 'read' ? ('read-only-storage' as const) : ('storage' as const) } }),
  }));
  if (instance.uniforms)
    entries.push({ binding: instance.declared.bindings.length, visibility, buffer: { type: 'uniform' } });
  return entries;
}

/** Declares a kernel (see KernelSpec); type parameters are inferred from the spec. */
export function defineKernel<
  P extends KernelParams = NoParams,
  B extends string = never,
  U extends string = never,
  E extends string = 'main',
>(spec: KernelSpec<P, B, U, E>): KernelDef<P, B, U, E> {
  return new KernelDef(spec);
}
