// Browser entry: sets the browser platform (navigator.gpu, fetch-based files: src/platform/platform_browser.ts).
// Nothing here may import a Node built-in.
// The WebGPU types our declarations use (GPUDevice, GPUBuffer, …): kept in the emitted .d.ts for consumers.
/// <reference types="@webgpu/types" preserve="true" />
import { setPlatform } from './platform/platform.js';
import { browserPlatform } from './platform/platform_browser.js';

setPlatform(browserPlatform);

export * from './engine.js';
export * from './io/files.js';
export { browserPlatform } from './platform/platform_browser.js';
export { UrlFileSource } from './io/files_browser.js';
export { HubFileSource } from './io/hub_browser.js';
export { zipFolder } from './io/zip.js';
export { env, hubFileUrl, isHubId, type HubLocation, type RepoType } from './io/hub_url.js';
export * from './models/index.js';
export * from './pipeline/index.js';
export * from './data/index.js';
export * from './io/safetensors.js';
export * from './tokenizers/index.js';
export * from './train/index.js';
export * from './export/index.js';
