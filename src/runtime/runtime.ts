// The runtime: one WebGPU device, its pipeline cache, buffer pool, batched command encoding, uniform ring and
// readback. It knows nothing of tensors: it runs kernels over buffers.

import { currentPlatform } from '../platform/platform.js';
import { BufferPool, type MemoryStats } from './buffer_pool.js';
import { BindingLimitError, DeviceLostError, KernelError } from './errors.js';
import { layoutEntries } from './kernel_def.js';
import type { Bindable, DispatchArgs, KernelDef, KernelInstance, KernelParams } from './kernel_def.js';
import type { Binding, BindingAccess, RuntimeInfo } from './types.js';
import { deviceProfile, type DeviceProfile } from './profile.js';
import { TexturePool, type TextureBinding, type TextureStats } from './texture_view.js';
import { interfaceMismatch, readWgslInterface } from './wgsl_header.js';

export type { Binding, RuntimeInfo, SubgroupMatrixConfig } from './types.js';

/**
 * Profiler names of the commands encoded outside compute passes (zero fills, copies): while a profiler times
 * dispatches they are timed too, under these names, so a timed region covers all the GPU work it encodes.
 */
export const COMMAND_PREFIX = 'cmd:';

/** Dispatches encoded per submit before an automatic flush. */
const MAX_PENDING_DISPATCHES = 512;
/** Each dispatch gets one 256-byte slot in the uniform ring (minUniformBufferOffsetAlignment ≤ 256). */
const UNIFORM_SLOT = 256;

/**
 * How the runtime awaits a Dawn promise (queue completion, buffer mapping): the platform's waitGPU. Node's is a
 * throttled wait (node_gpu.ts): Dawn's Node binding settles promises by re-queuing setImmediate ticks while any is
 * pending, a busy loop that takes a whole core from a software adapter's worker threads.
 */
const gpuWait = <T>(p: Promise<T>): Promise<T> => currentPlatform()?.waitGPU(p) ?? p;

export class Runtime {
  readonly pool: BufferPool;
  /** Linear texture views of buffers (texture_view.ts): undefined where WGSL lacks read-only storage textures. */
  readonly textures: TexturePool | undefined;
  readonly features: ReadonlySet<string>;
  readonly info: RuntimeInfo;
  /** What kernels choose by (software or GPU, subgroup sizes…): read by settings(), never by ops directly. */
  readonly profile: DeviceProfile;
  /** Number of readbacks done so far: lets tests and benches prove a training step reads nothing back. */
  readbackCount = 0;
  dispatchCount = 0;
  submitCount = 0;

  private readonly kernels = new Map<string, CompiledKernel>();
  private readonly placeholders: Partial<Record<'read' | 'read_write', Binding>> = {};
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private pending = 0;
  private readonly uniformData = new ArrayBuffer(MAX_PENDING_DISPATCHES * UNIFORM_SLOT);
  private readonly uniformView = new DataView(this.uniformData);
  private readonly uniformBuffer: GPUBuffer;
  private errors: Error[] = [];
  private lost: DeviceLostError | undefined;
  /**
   * Optional observer of every dispatch (bench:train's kernel breakdown). When it offers `timestampWrites` and
   * returns writes for a dispatch, that dispatch gets a compute pass of its own carrying them (GPU timing); the
   * commands outside passes (clears, copies) are then timed as well, named COMMAND_PREFIX + the command.
   */
  profiler:
    | { onDispatch(name: string): void; timestampWrites?(name: string): GPUComputePassTimestampWrites | undefined }
    | undefined;

  constructor(
    readonly device: GPUDevice,
    info: RuntimeInfo,
  ) {
    this.info = info;
    this.profile = deviceProfile(info);
    this.features = new Set(info.features);
    this.pool = new BufferPool(device, () => this.flush());
    if (info.wgslLanguageFeatures.includes('readonly_and_readwrite_storage_textures'))
      this.textures = new TexturePool(device, () => this.flush());
    this.uniformBuffer = device.createBuffer({
      size: this.uniformData.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.addEventListener('uncapturederror', (ev) => {
      this.errors.push(new KernelError('(uncaptured)', (ev as GPUUncapturedErrorEvent).error.message));
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.lost = new DeviceLostError(info.reason, info.message);
    });
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Pipelines created so far (one per kernel descriptor, parameters and entry point). */
  get pipelineCount(): number {
    return this.kernels.size;
  }

  /** Throws the first asynchronous WebGPU error seen so far (validation, lost device). */
  throwIfFailed(): void {
    if (this.lost) throw this.lost;
    const err = this.errors.shift();
    if (err) {
      this.errors = [];
      throw err;
    }
  }

  /**
   * Checks that `def`'s pipeline for these parameters and entry point can be created: its WGSL matches its
   * descriptor (thrown at once) and compiles (awaits the error scope).
   */
  async compile<P extends KernelParams, B extends string, U extends string, E extends string>(
    def: KernelDef<P, B, U, E>,
    params?: P,
    entry?: E,
  ): Promise<void> {
    this.kernel(def, params, entry);
    await gpuWait(this.device.queue.onSubmittedWorkDone());
    await new Promise((r) => setTimeout(r, 0));
    this.throwIfFailed();
  }

  /**
   * Encodes one dispatch of `def` (kernel_def.ts): storage buffers (or texture views) bound by name, the uniforms
   * packed by name into this dispatch's slot of the uniform ring, bound after them. Nothing is submitted until
   * flush() (or the batch is full).
   */
  dispatch<P extends KernelParams, B extends string, U extends string, E extends string>(
    def: KernelDef<P, B, U, E>,
    args: DispatchArgs<P, B, U, E>,
  ): void {
    if (this.lost) throw this.lost;
    const given = args.bindings as Readonly<Record<string, Bindable | undefined>>;
    const maxBinding = this.device.limits.maxStorageBufferBindingSize;
    for (const name in given) {
      const b = given[name];
      if (!(name in def.spec.bindings)) {
        throw new KernelError(def.name, `unknown binding "${name}" (its bindings: ${def.bindingNames.join(', ')})`);
      }
      if (b && 'buffer' in b && b.size > maxBinding)
        throw new BindingLimitError(`kernel "${def.name}"`, b.size, maxBinding);
    }
    const maxGroups = this.device.limits.maxComputeWorkgroupsPerDimension;
    const [x, y = 1, z = 1] = args.grid;
    // A count that is NaN or fractional comes from an empty or mis-shaped input (a sequence of length 0): say so
    // here, before Dawn's "no overload matched for dispatchWorkgroups".
    if (![x, y, z].every((n) => Number.isInteger(n) && n >= 0)) {
      throw new KernelError(
        def.name,
        `dispatch [${x}, ${y}, ${z}]: workgroup counts must be whole numbers; an input has an empty or invalid shape (a sequence of length 0?)`,
      );
    }
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new KernelError(
        def.name,
        `dispatch [${x}, ${y}, ${z}] exceeds maxComputeWorkgroupsPerDimension ${maxGroups}`,
      );
    }
    if (x === 0 || y === 0 || z === 0) return;
    const k = this.kernel(def, args.params, args.entry);
    const entries = this.storageEntries(k.instance, given);
    if (k.instance.uniforms) {
      const offset = this.pending * UNIFORM_SLOT;
      k.instance.uniforms.write(this.uniformView, offset, args.uniforms ?? {});
      const resource = { buffer: this.uniformBuffer, offset, size: UNIFORM_SLOT };
      entries.push({ binding: k.instance.declared.bindings.length, resource });
    }
    const bindGroup = this.device.createBindGroup({ layout: k.layout, entries });
    const name = k.instance.label;
    const timestampWrites = this.profiler?.timestampWrites?.(name);
    if (timestampWrites) this.endPass();
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass(timestampWrites ? { timestampWrites } : undefined);
    }
    this.pass.setPipeline(k.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    if (timestampWrites) this.endPass();
    this.profiler?.onDispatch(name);
    this.pending++;
    this.dispatchCount++;
    if (this.pending >= MAX_PENDING_DISPATCHES) this.flush();
  }

  /** The bind-group entries of the storage bindings an entry point uses, by name (placeholders for optional ones). */
  private storageEntries(instance: KernelInstance, given: Readonly<Record<string, Bindable | undefined>>) {
    const entries: GPUBindGroupEntry[] = [];
    for (const b of instance.bindings) {
      const r = given[b.name] ?? (b.optional ? this.placeholder(b.access, instance.label, b.name) : undefined);
      if (!r) {
        throw new KernelError(
          instance.label,
          `binding "${b.name}" is not given (entry point "${instance.entry}" uses it)`,
        );
      }
      const isView = 'view' in r;
      if (isView !== (b.access === 'texture')) {
        const got = isView ? 'texture view' : 'buffer';
        throw new KernelError(instance.label, `binding "${b.name}" is declared ${b.access}, but a ${got} was given`);
      }
      entries.push({ binding: b.index, resource: isView ? r.view : { buffer: r.buffer } });
    }
    return entries;
  }

  /**
   * The pipeline of `def` for these parameters and entry point, created once per cache key with an explicit layout
   * of exactly the bindings the entry point uses. A WGSL interface that differs from the descriptor is a KernelError
   * here, before anything is compiled; WGSL errors surface as KernelError at the next sync or readback.
   */
  private kernel<P extends KernelParams>(
    def: KernelDef<P, string, string, string>,
    params: P | undefined,
    entry?: string,
  ): CompiledKernel {
    const key = def.key(params, entry);
    const cached = this.kernels.get(key);
    if (cached) return cached;
    const instance = def.instance(params, entry);
    const mismatch = interfaceMismatch(instance.declared, readWgslInterface(instance.code));
    if (mismatch) throw new KernelError(instance.label, `its WGSL does not match its descriptor: ${mismatch}`);
    const bytes = instance.uniforms?.size ?? 0;
    if (bytes > UNIFORM_SLOT) {
      throw new KernelError(instance.label, `uniform struct of ${bytes} bytes is over the ${UNIFORM_SLOT}-byte slot`);
    }
    this.device.pushErrorScope('validation');
    const layout = this.device.createBindGroupLayout({ label: instance.label, entries: layoutEntries(instance) });
    const module = this.device.createShaderModule({ code: instance.code, label: instance.label });
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: instance.entry, constants: instance.constants },
    });
    void this.device.popErrorScope().then((e) => {
      if (e) this.errors.push(new KernelError(instance.label, e.message));
    });
    const k = { instance, pipeline, layout };
    this.kernels.set(key, k);
    return k;
  }

  /**
   * A 16-byte buffer bound where an optional binding is left out. Read-only and writable slots get different
   * buffers: one buffer bound both ways in a dispatch is a WebGPU usage conflict.
   */
  private placeholder(access: BindingAccess, kernel: string, name: string): Binding {
    if (access === 'texture') throw new KernelError(kernel, `texture binding "${name}" cannot be left out`);
    const usage = GPUBufferUsage.STORAGE;
    return (this.placeholders[access] ??= { buffer: this.device.createBuffer({ size: 16, usage }), size: 16 });
  }

  /**
   * Encodes a copy of a buffer's used bytes into a pooled linear texture view (texture_view.ts; ends the current
   * compute pass). Release it with releaseTextureView once the dispatches reading it are encoded.
   */
  textureView(b: Binding): TextureBinding {
    if (!this.textures)
      throw new Error("textureView: this adapter's WGSL lacks readonly_and_readwrite_storage_textures");
    let endTiming = (): void => {};
    // The pool asks for the encoder once it holds the texture (a trim on the way submits what was encoded).
    const view = this.textures.view(
      () => {
        const enc = this.commandEncoder();
        endTiming = this.timeCommands(enc, 'copyBufferToTexture');
        return enc;
      },
      b.buffer,
      Math.ceil(b.size / 16) * 16,
    );
    endTiming();
    return view;
  }

  releaseTextureView(t: TextureBinding): void {
    this.textures!.release(t);
  }

  /** Encodes a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    const enc = this.commandEncoder();
    const endTiming = this.timeCommands(enc, 'copyBufferToBuffer');
    enc.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    endTiming();
  }

  /**
   * Encodes a zero-fill of `bytes` bytes (a multiple of 4) from the start of `buffer` (ends the current compute
   * pass). clearBuffer is a driver memset: on lavapipe ~5-10× faster than a fill kernel's per-lane stores.
   */
  clear(buffer: GPUBuffer, bytes: number): void {
    if (bytes === 0) return;
    const enc = this.commandEncoder();
    const endTiming = this.timeCommands(enc, 'clearBuffer');
    enc.clearBuffer(buffer, 0, bytes);
    endTiming();
  }

  /** Submits everything encoded so far, with the uniforms of this batch written first. */
  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    if (this.pending > 0)
      this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformData, 0, this.pending * UNIFORM_SLOT);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = undefined;
    this.pending = 0;
    this.submitCount++;
  }

  /**
   * Writes host data into a buffer. Pending commands are submitted first: queue.writeBuffer runs before any
   * command buffer submitted after it, and a pooled buffer may still be read by encoded-but-unsubmitted work.
   */
  upload(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    this.flush();
    this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Reads `bytes` from `buffer` back to the host: the only way data leaves the GPU. */
  async read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    this.readbackCount++;
    const staging = this.device.createBuffer({
      size: Math.max(4, Math.ceil(bytes / 4) * 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.copy(buffer, staging, Math.ceil(bytes / 4) * 4, offset, 0);
    this.flush();
    try {
      await gpuWait(staging.mapAsync(GPUMapMode.READ));
    } catch (e) {
      this.throwIfFailed();
      throw e;
    }
    const out = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    this.throwIfFailed();
    return out;
  }

  /** Waits until the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await gpuWait(this.device.queue.onSubmittedWorkDone());
    await new Promise((r) => setTimeout(r, 0));
    this.throwIfFailed();
  }

  memory(): MemoryStats & TextureStats {
    return { ...this.pool.stats(), ...(this.textures?.stats() ?? { textureBytes: 0, texturesAllocated: 0 }) };
  }

  destroy(): void {
    this.flush();
    this.pool.trim();
    this.textures?.trim();
    this.uniformBuffer.destroy();
    this.device.destroy();
  }

  /** The batch's command encoder with no compute pass open, for commands outside passes. */
  private commandEncoder(): GPUCommandEncoder {
    this.endPass();
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /**
   * While a profiler times dispatches: writes the begin timestamp of a pair named COMMAND_PREFIX + `name` (an empty
   * compute pass carrying only it) and returns what writes the end one, to call once the commands are encoded.
   * Else a no-op.
   */
  private timeCommands(enc: GPUCommandEncoder, name: string): () => void {
    const writes = this.profiler?.timestampWrites?.(COMMAND_PREFIX + name);
    if (!writes) return () => {};
    const { querySet, beginningOfPassWriteIndex, endOfPassWriteIndex } = writes;
    enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex } }).end();
    return () => enc.beginComputePass({ timestampWrites: { querySet, endOfPassWriteIndex } }).end();
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = undefined;
    }
  }
}

interface CompiledKernel {
  instance: KernelInstance;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}
