// Browser entry: navigator.gpu and fetch-based files. Nothing here may import a Node built-in.
// The WebGPU types our declarations use (GPUDevice, GPUBuffer, …): kept in the emitted .d.ts for consumers.
/// <reference types="@webgpu/types" preserve="true" />
import { setGPUProvider } from './runtime/device.js';
import { setDefaultFileSourceFactory } from './io/files.js';
import { UrlFileSource } from './io/files_browser.js';

setGPUProvider(async () => (typeof navigator !== 'undefined' ? navigator.gpu : undefined));
setDefaultFileSourceFactory((url) => new UrlFileSource(url));

export * from './engine.js';
export * from './io/files.js';
export { UrlFileSource } from './io/files_browser.js';
export * from './models/index.js';
export * from './pipeline/index.js';
export * from './data/index.js';
export * from './io/safetensors.js';
export * from './tokenizers/index.js';
export * from './train/index.js';
export * from './export/index.js';
