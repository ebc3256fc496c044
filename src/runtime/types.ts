// Types the runtime's files share (the runtime, kernel descriptors, WGSL header checks, the device profile): a module
// of their own, so that none of those files imports another only for its types.

/** A storage buffer as a kernel binds it. */
export interface Binding {
  buffer: GPUBuffer;
  /** Bytes actually used by the tensor: checked against maxStorageBufferBindingSize. */
  size: number;
}

/** How a kernel reads or writes one binding. */
export type BindingAccess = 'read' | 'read_write' | 'texture';

/** What the adapter is and offers, as init() found it. */
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
  /** The adapter's subgroup sizes (0 where it does not say). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
  /**
   * The matrix shapes and types the adapter's subgroup matrices support (GPUAdapterInfo.subgroupMatrixConfigs), where
   * the feature chromium-experimental-subgroup-matrix is enabled; empty otherwise.
   */
  subgroupMatrixConfigs: SubgroupMatrixConfig[];
}

/** One supported subgroup-matrix configuration: left M×K and right K×N of componentType, result M×N. */
export interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/** What the descriptor declares for one pipeline: its bindings in @binding order, its uniform fields, constants, entry. */
export interface DeclaredInterface {
  bindings: readonly { name: string; access: BindingAccess }[];
  uniforms: readonly { name: string; type: string }[];
  constants: readonly string[];
  entry: string;
}
