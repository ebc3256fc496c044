// Linear texture views of storage buffers: a buffer of vec4<f32> copied into a read-only rgba32float storage texture
// TEXTURE_WIDTH texels wide, vec4 i at texel (i % TEXTURE_WIDTH, i / TEXTURE_WIDTH). Why: on lavapipe every
// storage-buffer load whose address is not a constant is a per-lane loop with a bounds check per component, while
// a storage-texture load is one call for the whole subgroup: about half the cost, copy included (bench/README.md,
// *Operands through texture views*). Textures are pooled like buffers (resource_pool.ts).
import { ResourcePool } from './resource_pool.js';

/** Texels per row of a linear view: a power of two (the index split is a shift and a mask); 64 KiB rows. */
export const TEXTURE_WIDTH = 4096;
const TEXEL_BYTES = 16;
const ROW_BYTES = TEXTURE_WIDTH * TEXEL_BYTES;

/** A texture binding for Runtime.dispatch: the view bound at the operand's slot. */
export interface TextureBinding {
  view: GPUTextureView;
  texture: GPUTexture;
}

/**
 * Rows of the pooled texture for `rows` rows of data: powers of two up to 16, then steps of 1/16 of the power of two.
 */
export function textureRowsBucket(rows: number): number {
  const pow = 2 ** Math.ceil(Math.log2(Math.max(1, rows)));
  if (pow <= 16) return pow;
  const step = pow / 16;
  return Math.ceil(rows / step) * step;
}

export interface TextureStats {
  /** Bytes of every pooled texture alive on the device (in use + idle). */
  textureBytes: number;
  texturesAllocated: number;
}

export class TexturePool extends ResourcePool<GPUTexture> {
  /** Rows a view may have: the device's maxTextureDimension2D (lowered by tests to exercise the buffer fallback). */
  maxRows: number;

  constructor(
    private readonly device: GPUDevice,
    beforeTrim?: () => void,
  ) {
    super(beforeTrim);
    this.maxRows = device.limits.maxTextureDimension2D;
  }

  /** The most vec4s one view can hold. */
  get capacity(): number {
    return this.maxRows * TEXTURE_WIDTH;
  }

  /**
   * Encodes a copy of the first `bytes` bytes of `buffer` (vec4 f32 data, a multiple of 16 bytes, which the buffer
   * holds) into a pooled texture and returns its binding; release() it once the dispatch that reads it is encoded.
   * encoder() is asked for after the texture (a trim on the way submits what was encoded).
   */
  view(encoder: () => GPUCommandEncoder, buffer: GPUBuffer, bytes: number): TextureBinding {
    const vec4s = Math.ceil(bytes / TEXEL_BYTES);
    if (vec4s > this.capacity)
      throw new Error(
        `texture view of ${bytes} bytes exceeds ${this.capacity} texels (${this.maxRows} rows of ${TEXTURE_WIDTH})`,
      );
    const texture = this.take(Math.min(this.maxRows, textureRowsBucket(Math.ceil(vec4s / TEXTURE_WIDTH))));
    const full = Math.floor(vec4s / TEXTURE_WIDTH);
    const rest = vec4s % TEXTURE_WIDTH;
    const enc = encoder();
    if (full) enc.copyBufferToTexture({ buffer, bytesPerRow: ROW_BYTES }, { texture }, [TEXTURE_WIDTH, full]);
    if (rest)
      enc.copyBufferToTexture(
        { buffer, offset: full * ROW_BYTES, bytesPerRow: ROW_BYTES },
        { texture, origin: [0, full] },
        [rest, 1],
      );
    return { view: texture.createView(), texture };
  }

  release(binding: TextureBinding): void {
    this.give(binding.texture);
  }

  stats(): TextureStats {
    return { textureBytes: this.allocatedBytes, texturesAllocated: this.count };
  }

  protected create(rows: number): GPUTexture {
    return this.device.createTexture({
      label: `linear view ${TEXTURE_WIDTH}×${rows}`,
      size: [TEXTURE_WIDTH, rows],
      format: 'rgba32float',
      usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_DST,
    });
  }

  protected destroy(t: GPUTexture): void {
    t.destroy();
  }

  protected key(t: GPUTexture): number {
    return t.height;
  }

  protected bytes(t: GPUTexture): number {
    return t.width * t.height * TEXEL_BYTES;
  }
}
