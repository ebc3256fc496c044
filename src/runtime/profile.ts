// The device profile: what the adapter is (read once at init) and the kernel choices that follow from it. Every
// number below was measured on lavapipe or reasoned for GPUs; the measurements are in bench/README.md. Ops never test
// the adapter kind themselves: they read these values through settings() (settings.ts), which overrides may change.
import type { RuntimeInfo, SubgroupMatrixConfig } from './types.js';

/** Facts about the adapter, fixed for the runtime's life. */
export interface DeviceProfile {
  /** A CPU renderer (lavapipe, SwiftShader): every non-uniform load is a per-lane loop and workgroups cost. */
  software: boolean;
  /** Subgroup sizes where the `subgroups` feature is enabled; 0 and 0 otherwise. */
  subgroupMinSize: number;
  subgroupMaxSize: number;
  /** WGSL's readonly_and_readwrite_storage_textures: matmul operands can be read through texture views. */
  textureReads: boolean;
  /** The feature shader-f16 is enabled (f16 storage and arithmetic in kernels). */
  shaderF16?: boolean;
  /**
   * Subgroup-matrix configurations with f16 operands and an f32 result (tensor cores), where the features
   * chromium-experimental-subgroup-matrix and shader-f16 are enabled; empty otherwise.
   */
  subgroupMatrixF16?: readonly SubgroupMatrixConfig[];
}

export function deviceProfile(info: RuntimeInfo): DeviceProfile {
  const subgroups = info.features.includes('subgroups');
  return {
    software: info.isSoftware,
    subgroupMinSize: subgroups ? info.subgroupMinSize : 0,
    subgroupMaxSize: subgroups ? info.subgroupMaxSize : 0,
    textureReads: info.wgslLanguageFeatures.includes('readonly_and_readwrite_storage_textures'),
    shaderF16: info.features.includes('shader-f16'),
    subgroupMatrixF16: info.features.includes('shader-f16')
      ? info.subgroupMatrixConfigs.filter((c) => c.componentType === 'f16' && c.resultComponentType === 'f32')
      : [],
  };
}

export type AttentionKernel = 'auto' | 'fused' | 'unfused';
/** The fused attention kernels: K/V rows read per thread from storage ('lanes'), or staged in workgroup memory. */
export type FlashKernel = 'lanes' | 'tiled';
/** How the generated matmuls read vec4 f32 operands: through linear texture views, or from the storage buffer. */
export type OperandReads = 'texture' | 'buffer';

/** Kernel choices by adapter (defaults from the profile); settings.ts lets a scope or the environment override them. */
export interface Settings {
  /** LayerNorm's generated kernels: vec4s per lane held in registers at most, the rest streamed (compile time). */
  layerNormHeldCap: number;
  /** LayerNorm's generated kernels: rows per workgroup (gamma and beta loaded once per workgroup). */
  layerNormRows: number;
  /** Softmax's subgroup kernels: held rows per workgroup (the mask row loaded once per workgroup). */
  softmaxRows: number;
  /** Self-attention kernels: 'auto' (see attentionKernelFor in ops/self_attention.ts), or always one path. */
  attentionKernel: AttentionKernel;
  /** Bytes one chunk's [b, H, T, T] attention tensors may take (default: the storage binding limit). */
  attentionChunkBytes: number;
  /** 'auto' runs the unfused path over chunks of the batch up to this many chunks' worth in all (0: never chunks). */
  attentionChunkedMax: number;
  /** Flash-attention kernels: per-thread storage reads or workgroup-memory tiles (flash_attention_tiled.wgsl). */
  flashKernel: FlashKernel;
  /** Flash-attention kernels: invocations per workgroup. */
  flashWorkgroup: number;
  /** Flash-attention kernels: query (or key) rows per invocation for heads up to 64 (halved above, at least 1). */
  flashRows: number;
  matmulOperandReads: OperandReads;
  /** A kernel choice forced on every strided product ('strided', a fast config id, 'splitk4'…), or 'auto'. */
  matmulKernel: string;
  /** Untuned products: fast configs in order of preference (ids from matmul_fast.ts's configId). */
  matmulPreferred: readonly string[];
  /**
   * Untuned products: 'cost' picks the preferred config with the least estimated cost on a software adapter
   * (rows past M included); 'span' the first preferred whose workgroup spans at most M rows.
   */
  matmulDefaultRule: 'cost' | 'span';
  /** Untuned f16 × f16 products (autocast) run on subgroup matrices (tensor cores) where the adapter offers them. */
  matmulMatrixUnits: boolean;
  /** Autotuning: rounds per candidate, and the least time the rounds of one key take (more rounds on a noisy host). */
  autotuneRepeats: number;
  autotuneMinMs: number;
}

/** The defaults for this adapter; `bindingLimit`: maxStorageBufferBindingSize. */
export function defaultSettings(p: DeviceProfile, bindingLimit: number): Settings {
  const sw = p.software;
  return {
    // Compile time grows with held² on lavapipe (24: 16 + 26 s forward + backward); GPUs compile fast: 96.
    layerNormHeldCap: sw ? 24 : 96,
    // Software: more rows amortise each workgroup's fixed cost (32 fastest); a GPU wants the workgroups instead.
    layerNormRows: sw ? 32 : 4,
    softmaxRows: sw ? 16 : 4,
    // Software: 'auto' (below). GPUs: the fused kernels at every length, as the O(T) memory costs them nothing there
    // (no [B, H, T, T] tensor; not yet measured against the unfused path on a GPU: bench/README.md, *GPU kernels*).
    attentionKernel: sw ? 'auto' : 'fused',
    attentionChunkBytes: bindingLimit,
    // Software: the tuned products beat the fused kernels' per-row loops (16×512 step 1.7-1.9× faster) up to 4
    // bindings' worth (the backward keeps those tensors for every layer); GPUs take the fused kernels (O(T) memory).
    attentionChunkedMax: sw ? 4 : 0,
    // Software: one 8-lane subgroup, 4 rows per lane, so every K/V load serves several rows; GPUs: 64 lanes, 1 row.
    // Workgroup memory costs lavapipe a per-lane loop per access; on GPUs it shares each K/V row among 64 threads.
    flashKernel: sw ? 'lanes' : 'tiled',
    flashWorkgroup: sw ? 8 : 64,
    flashRows: sw ? 4 : 1,
    // Texture loads cost about half a buffer load on lavapipe (x·Wᵀ 1.6× faster); not measured on GPUs.
    matmulOperandReads: sw && p.textureReads ? 'texture' : 'buffer',
    matmulKernel: 'auto',
    // Software: B loaded once per subgroup and broadcast (16-lane configs first where subgroups have 16 lanes); on
    // NVIDIA (H100) the plain register tile wins by 1.5-2.7×. The w32 variants serve short M without idle lanes.
    matmulPreferred: sw
      ? [
          'subgroup_r4c64il16',
          'subgroup_r4c64w32il16',
          'subgroup_r4c32i',
          'subgroup_r4c32w32i',
          'subgroup_r2c16',
          'subgroup_r1c32w8i',
          'plain_r4c8',
        ]
      : // GPUs: workgroup-memory tiles for products of at least a block's rows (bench/README.md, *GPU kernels*:
        // chosen from the literature, not yet measured here), then the register tiles measured on an H100.
        ['tiled_m128n128k8t8x8', 'tiled_m64n64k8t4x4', 'tiled_m32n64k16t4x4', 'plain_r4c8', 'subgroup_r2c16'],
    matmulDefaultRule: sw ? 'cost' : 'span',
    matmulMatrixUnits: !sw,
    autotuneRepeats: 2,
    autotuneMinMs: 0,
  };
}
