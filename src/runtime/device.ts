// Adapter and device acquisition, the same for Node and browsers: the `GPU` object (Dawn's in Node, navigator.gpu in
// browsers) comes from the platform the entry point set (src/platform/platform.ts).

import { currentPlatform } from '../platform/platform.js';
import { NoAdapterError } from './errors.js';
import { Runtime, type RuntimeInfo, type SubgroupMatrixConfig } from './runtime.js';

export interface InitOptions {
  powerPreference?: GPUPowerPreference;
  /** Skip optional features (useful to test fallbacks). */
  disableFeatures?: string[];
}

let current: Runtime | undefined;
let initializing: Promise<Runtime> | undefined;

/** The limits DistilBERT training needs as large as the adapter allows. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
  'maxTextureDimension2D',
] as const;

/**
 * Features requested where the adapter has them. chromium-experimental-subgroup-matrix (Dawn's subgroup matrices:
 * Vulkan cooperative matrices, tensor cores on NVIDIA) needs subgroups and, in Node, Dawn's allow_unsafe_apis toggle
 * (node_gpu.ts sets it for hardware adapters); a browser offers it only behind its own flags.
 */
const OPTIONAL_FEATURES = [
  'shader-f16',
  'subgroups',
  'timestamp-query',
  'chromium-experimental-subgroup-matrix',
] as const;
const SUBGROUP_MATRIX = 'chromium-experimental-subgroup-matrix';

/** The options the current (or starting) runtime was created with. */
let createdWith: InitOptions | undefined;

/**
 * Creates (once) and returns the runtime. The async entry points (pipeline(), fromPretrained(), the Trainer's
 * train/evaluate) call it themselves, so calling it is only needed to choose options: do that before them. Options
 * that differ from those the runtime was created with are an error (shutdown() first to start it again).
 */
export async function init(options?: InitOptions): Promise<Runtime> {
  if (current || initializing) {
    if (options !== undefined && optionsKey(options) !== optionsKey(createdWith!)) {
      throw new Error(
        `init(${JSON.stringify(options)}): the WebGPU runtime already exists, created with ${JSON.stringify(createdWith)} ` +
          '(by an earlier init(), or by pipeline(), fromPretrained() or the Trainer, which start it with the defaults); ' +
          'call init(options) before those, or shutdown() first to start it again with other options',
      );
    }
    return current ?? initializing!;
  }
  createdWith = { ...options };
  initializing = create(createdWith)
    .then((rt) => (current = rt))
    .catch((err: unknown) => {
      createdWith = undefined;
      throw err;
    })
    .finally(() => (initializing = undefined));
  return initializing;
}

/** The options with their defaults, as a comparable string. */
function optionsKey(o: InitOptions): string {
  return JSON.stringify([o.powerPreference ?? 'high-performance', [...(o.disableFeatures ?? [])].sort()]);
}

/** The runtime, for synchronous op code; init() (or an async entry point that calls it) must have been awaited. */
export function runtime(): Runtime {
  if (!current) {
    throw new Error(
      'webtune: the GPU runtime is not initialised: call `await init()` first (pipeline(), fromPretrained() and the ' +
        "Trainer's train/evaluate start it themselves; synchronous calls such as fromConfig() or tensor() cannot)",
    );
  }
  return current;
}

export function hasRuntime(): boolean {
  return current !== undefined;
}

/** Destroys the device so the process can exit; a later init() starts afresh. */
export function shutdown(): void {
  current?.destroy();
  current = undefined;
  if (!initializing) createdWith = undefined;
}

async function create(options: InitOptions): Promise<Runtime> {
  const platform = currentPlatform();
  if (!platform) throw new NoAdapterError('no WebGPU implementation is registered for this environment');
  const adapterHint = platform.adapterHint;
  let gpu: GPU | undefined;
  try {
    gpu = await platform.gpu();
  } catch (e) {
    throw new NoAdapterError(`loading WebGPU failed: ${(e as Error).message}`, adapterHint);
  }
  if (!gpu)
    throw new NoAdapterError(
      'navigator.gpu is not available (WebGPU needs a secure context and a supporting browser)',
      adapterHint,
    );
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new NoAdapterError('requestAdapter() returned null', adapterHint);

  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const disabled = (f: string): boolean =>
    !!options.disableFeatures?.includes(f) || (f === SUBGROUP_MATRIX && disabled('subgroups'));
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features as GPUFeatureName[] });

  const ai = adapter.info;
  type SubgroupSizes = { subgroupMinSize?: number; subgroupMaxSize?: number };
  const subgroupInfo = ((device as unknown as { adapterInfo?: unknown }).adapterInfo ?? ai) as SubgroupSizes;
  const name = [ai.vendor, ai.architecture, ai.device, ai.description].filter(Boolean).join(' ') || 'unknown adapter';
  const isSoftware = /llvmpipe|lavapipe|swiftshader|software|cpu/i.test(
    `${name} ${(ai as { type?: string }).type ?? ''}`,
  );
  const limits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) limits[name] = (device.limits as unknown as Record<string, number>)[name];
  const info: RuntimeInfo = {
    adapterName: ai.description || ai.device || name,
    vendor: ai.vendor,
    architecture: ai.architecture,
    description: name,
    isSoftware,
    features: [...features],
    limits,
    wgslLanguageFeatures: [...(gpu.wgslLanguageFeatures ?? [])],
    subgroupMinSize: subgroupInfo.subgroupMinSize ?? 0,
    subgroupMaxSize: subgroupInfo.subgroupMaxSize ?? 0,
    subgroupMatrixConfigs: features.includes(SUBGROUP_MATRIX) ? subgroupMatrixConfigs(ai) : [],
  };
  return new Runtime(device, info);
}

/** The adapter's subgroup-matrix configurations (GPUAdapterInfo.subgroupMatrixConfigs), as plain objects. */
function subgroupMatrixConfigs(info: GPUAdapterInfo): SubgroupMatrixConfig[] {
  const raw = (info as unknown as { subgroupMatrixConfigs?: Iterable<SubgroupMatrixConfig> }).subgroupMatrixConfigs;
  return [...(raw ?? [])].map(({ componentType, resultComponentType, M, N, K }) => ({
    componentType,
    resultComponentType,
    M,
    N,
    K,
  }));
}
