// The engine's public surface (runtime, tensors, autograd, ops, optimizers), shared by the Node and browser entries.
export { init, runtime, shutdown, hasRuntime, type InitOptions } from './runtime/device.js';
export { Runtime, type RuntimeInfo } from './runtime/runtime.js';
export {
  defineKernel,
  KernelDef,
  type KernelSpec,
  type BindingAccess,
  type DispatchArgs,
} from './runtime/kernel_def.js';
export type { UniformType, UniformValue } from './runtime/uniform_layout.js';
export type { DeviceProfile } from './runtime/profile.js';
export {
  settings,
  withSettings,
  configure,
  settingsFromEnv,
  type Settings,
  type AttentionKernel,
  type FlashKernel,
  type OperandReads,
} from './runtime/settings.js';
export { NoAdapterError, DeviceLostError, KernelError, BindingLimitError } from './runtime/errors.js';
export type { MemoryStats } from './runtime/buffer_pool.js';
export { autotuner, Autotuner, type TuneResult } from './runtime/autotune.js';
export { setPlatform, currentPlatform, type Platform } from './platform/platform.js';
export { Tensor, noGrad, type DType } from './tensor/tensor.js';
export { tidy, tidyAsync, keep } from './tensor/scope.js';
export { backward } from './autograd/tape.js';
export * from './ops/basic.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/reductions.js';
export * from './ops/shape.js';
export * from './ops/matmul.js';
export { stridedMatmul, type MatrixLayout, type StridedMatmulArgs } from './ops/matmul_strided.js';
export { untunedMatmulChoice, matmulKernelChoices, type MatmulChoice } from './ops/matmul_select.js';
export { autotuneMatmulOp, autotuneStridedMatmul } from './ops/matmul_autotune.js';
export * from './ops/cast.js';
export { autocast, autocastDtype, type AutocastDtype } from './ops/autocast.js';
export * from './ops/softmax.js';
export * from './ops/layernorm.js';
export * from './ops/embedding.js';
export * from './ops/dropout.js';
export * from './ops/loss.js';
export * from './ops/attention.js';
export * from './ops/flash_attention.js';
export * from './ops/self_attention.js';
export { AdamW, type AdamWOptions, type ParamGroup, type AdamWState } from './optim/adamw.js';
export { clipGradNorm, gradNorm } from './optim/clip.js';
export { GradScaler, type GradScalerOptions, type GradScalerState } from './optim/grad_scaler.js';

import { runtime } from './runtime/device.js';
import { Tensor } from './tensor/tensor.js';
/** GPU memory in use / allocated by the buffer pool, the pooled texture views (matmul operands), and live tensors. */
export function memory(): {
  bytesInUse: number;
  bytesAllocated: number;
  buffersAllocated: number;
  textureBytes: number;
  texturesAllocated: number;
  liveTensors: number;
} {
  return { ...runtime().memory(), liveTensors: Tensor.liveCount() };
}
