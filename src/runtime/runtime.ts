// The runtime: one WebGPU device, its pipeline cache, buffer pool, batched command encoding, uniform ring and
// readback. It knows nothing of tensors: it runs kernels over buffers.

import { currentPlatform } from '../platform/platform.js';
import { BufferPool, type MemoryStats } from './buffer_pool.js';
import { BindingLimitError, DeviceLostError, KernelError } from './errors.js';
import { TexturePool, type TextureBinding, type TextureStats } from './texture_view.js';

export interface Kernel {
  /** Unique name of the WGSL source (cache key together with the constants). */
  name: string;
  code: string;
  /** Values of WGSL `override` constants (workgroup and tile sizes, op codes). */
  constants?: Record<string, number>;
  entryPoint?: string;
}

export interface Binding {
  buffer: GPUBuffer;
  /** Bytes actually used by the tensor: checked against maxStorageBufferBindingSize. */
  size: number;
}

export interface RuntimeInfo {
  adapterName: string;
  vendor: string;
  architecture: string;
  description: string;
  isSoftware: boolean;
  features: string[];
  limits: Record<string, number>;
  /** navigator.gpu.wgslLanguageFeatures (e.g. readonly_and_readwrite_storage_textures). */
  wgslLanguageFeatures: string[];
}

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
  /** Number of readbacks done so far: lets tests and benches prove a training step reads nothing back. */
  readbackCount = 0;
  dispatchCount = 0;
  submitCount = 0;

  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private pending = 0;
  private readonly uniformData = new ArrayBuffer(MAX_PENDING_DISPATCHES * UNIFORM_SLOT);
  private readonly uniformBuffer: GPUBuffer;
  private errors: Error[] = [];
  private lost: DeviceLostError | undefined;
  /**
   * Optional observer of every dispatch (bench:train's kernel breakdown). When it offers `timestampWrites` and
   * returns writes for a dispatch, that dispatch gets a compute pass of its own carrying them (GPU timing); the
   * commands outside passes (clears, copies) are then timed as well, named COMMAND_PREFIX + the command.
   */
  profiler: { onDispatch(name: string): void; timestampWrites?(name: string): GPUComputePassTimestampWrites | undefined } | undefined;

  constructor(
    readonly device: GPUDevice,
    info: RuntimeInfo,
  ) {
    this.info = info;
    this.features = new Set(info.features);
    this.pool = new BufferPool(device, () => this.flush());
    if (info.wgslLanguageFeatures.includes('readonly_and_readwrite_storage_textures')) this.textures = new TexturePool(device, () => this.flush());
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

  /** Throws the first asynchronous WebGPU error seen so far (validation, lost device). */
  throwIfFailed(): void {
    if (this.lost) throw this.lost;
    const err = this.errors.shift();
    if (err) {
      this.errors = [];
      throw err;
    }
  }

  /** A compiled pipeline, created once per (kernel, constants); WGSL errors surface as KernelError. */
  pipeline(kernel: Kernel): GPUComputePipeline {
    const key = kernel.constants ? `${kernel.name}|${JSON.stringify(kernel.constants)}` : kernel.name;
    let p = this.pipelines.get(key);
    if (p) return p;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: kernel.code, label: kernel.name });
    p = this.device.createComputePipeline({
      label: key,
      layout: 'auto',
      compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: kernel.constants },
    });
    void this.device.popErrorScope().then((e) => {
      if (e) this.errors.push(new KernelError(key, e.message));
    });
    this.pipelines.set(key, p);
    return p;
  }

  /** Checks that pipeline creation for `kernel` raised no error (awaits the error scope). */
  async compile(kernel: Kernel): Promise<void> {
    this.pipeline(kernel);
    await gpuWait(this.device.queue.onSubmittedWorkDone());
    await new Promise((r) => setTimeout(r, 0));
    this.throwIfFailed();
  }

  /**
   * Encodes one dispatch. Bindings are storage buffers (or texture views) at @binding(0..n-1) in order (null: unused
   * by this entry point); the uniform block, when given, is bound at @binding(n). Nothing is submitted until flush()
   * (or the batch is full).
   */
  dispatch(kernel: Kernel, bindings: (Binding | TextureBinding | null)[], uniforms: ArrayBuffer | undefined, workgroups: [number, number?, number?]): void {
    if (this.lost) throw this.lost;
    const maxBinding = this.device.limits.maxStorageBufferBindingSize;
    for (const b of bindings) {
      if (b && 'buffer' in b && b.size > maxBinding) throw new BindingLimitError(`kernel "${kernel.name}"`, b.size, maxBinding);
    }
    const maxGroups = this.device.limits.maxComputeWorkgroupsPerDimension;
    const [x, y = 1, z = 1] = workgroups;
    // A count that is NaN or fractional comes from an empty or mis-shaped input (a sequence of length 0): say so
    // here, before Dawn's "no overload matched for dispatchWorkgroups".
    if (![x, y, z].every((n) => Number.isInteger(n) && n >= 0)) {
      throw new KernelError(kernel.name, `dispatch [${x}, ${y}, ${z}]: workgroup counts must be whole numbers; an input has an empty or invalid shape (a sequence of length 0?)`);
    }
    if (x > maxGroups || y > maxGroups || z > maxGroups) {
      throw new KernelError(kernel.name, `dispatch [${x}, ${y}, ${z}] exceeds maxComputeWorkgroupsPerDimension ${maxGroups}`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    const pipeline = this.pipeline(kernel);
    // A null binding is one the entry point does not use (modules with several entry points and 'auto' layouts).
    const entries: GPUBindGroupEntry[] = [];
    bindings.forEach((b, i) => b && entries.push({ binding: i, resource: 'view' in b ? b.view : { buffer: b.buffer } }));
    if (uniforms) {
      if (uniforms.byteLength > UNIFORM_SLOT) throw new Error(`kernel "${kernel.name}": uniform block over ${UNIFORM_SLOT} bytes`);
      const offset = this.pending * UNIFORM_SLOT;
      new Uint8Array(this.uniformData, offset, uniforms.byteLength).set(new Uint8Array(uniforms));
      entries.push({ binding: bindings.length, resource: { buffer: this.uniformBuffer, offset, size: UNIFORM_SLOT } });
    }
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const timestampWrites = this.profiler?.timestampWrites?.(kernel.name);
    if (timestampWrites) this.endPass();
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass(timestampWrites ? { timestampWrites } : undefined);
    }
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    if (timestampWrites) this.endPass();
    this.profiler?.onDispatch(kernel.name);
    this.pending++;
    this.dispatchCount++;
    if (this.pending >= MAX_PENDING_DISPATCHES) this.flush();
  }

  /**
   * Encodes a copy of a buffer's used bytes into a pooled linear texture view (texture_view.ts; ends the current
   * compute pass). Release it with releaseTextureView once the dispatches reading it are encoded.
   */
  textureView(b: Binding): TextureBinding {
    if (!this.textures) throw new Error('textureView: this adapter\'s WGSL lacks readonly_and_readwrite_storage_textures');
    let endTiming = (): void => {};
    // The pool asks for the encoder once it holds the texture (a trim on the way submits what was encoded).
    const view = this.textures.view(() => {
      const enc = this.commandEncoder();
      endTiming = this.timeCommands(enc, 'copyBufferToTexture');
      return enc;
    }, b.buffer, Math.ceil(b.size / 16) * 16);
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
    if (this.pending > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformData, 0, this.pending * UNIFORM_SLOT);
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
    const staging = this.device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
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

/** Packs a kernel's uniform struct: u32/i32/f32 fields in declaration order (WGSL alignment is the caller's job). */
export class Uniforms {
  private readonly view: DataView;
  private at = 0;
  constructor(bytes = UNIFORM_SLOT) {
    this.view = new DataView(new ArrayBuffer(bytes));
  }
  u32(...values: number[]): this {
    for (const v of values) {
      this.view.setUint32(this.at, v, true);
      this.at += 4;
    }
    return this;
  }
  i32(...values: number[]): this {
    for (const v of values) {
      this.view.setInt32(this.at, v, true);
      this.at += 4;
    }
    return this;
  }
  f32(...values: number[]): this {
    for (const v of values) {
      this.view.setFloat32(this.at, v, true);
      this.at += 4;
    }
    return this;
  }
  /** Pads to the next multiple of `align` bytes (WGSL vec4/array alignment). */
  align(align: number): this {
    this.at = Math.ceil(this.at / align) * align;
    return this;
  }
  get buffer(): ArrayBuffer {
    return this.view.buffer.slice(0, Math.max(16, Math.ceil(this.at / 16) * 16)) as ArrayBuffer;
  }
}
