// Browser entry: navigator.gpu and fetch-based files. Nothing here may import a Node built-in.
// The WebGPU types our declarations use (GPUDevice, GPUBuffer, …): kept in the emitted .d.ts for consumers.
/// <reference types="@webgpu/types" preserve="true" />
import { setGPUProvider } from './runtime/device.js';
import { BROWSER_ADAPTER_HINT } from './runtime/errors.js';
import { setDefaultFileSourceFactory } from './io/files.js';
import { UrlFileSource } from './io/files_browser.js';
import { HubFileSource } from './io/hub_browser.js';
import { isHubId } from './io/hub_url.js';

setGPUProvider(async () => (typeof navigator !== 'undefined' ? navigator.gpu : undefined), BROWSER_ADAPTER_HINT);
// "user/model" is a Hub id; anything else ("/model/", "./my_model", "https://…") is a URL.
setDefaultFileSourceFactory((location, options) =>
  isHubId(location) ? new HubFileSource(location, options) : new UrlFileSource(location, options.progressCallback),
);

export * from './engine.js';
export * from './io/files.js';
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
