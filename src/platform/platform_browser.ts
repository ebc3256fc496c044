// The browser platform: navigator.gpu, files fetched from a base URL or a Hub repo (kept in the Cache API), no file
// writer and no default checkpoint store (savePretrained needs a writer; the Trainer takes a `store`). Set by the
// browser entry (src/browser.ts).
import { UrlFileSource } from '../io/files_browser.js';
import { HubFileSource } from '../io/hub_browser.js';
import { isHubId } from '../io/hub_url.js';
import { BROWSER_ADAPTER_HINT } from '../runtime/errors.js';
import type { Platform } from './platform.js';

export const browserPlatform: Platform = {
  name: 'browser',
  gpu: async () => (typeof navigator !== 'undefined' ? navigator.gpu : undefined),
  adapterHint: BROWSER_ADAPTER_HINT,
  waitGPU: (promise) => promise,
  // "user/model" is a Hub id; anything else ("/model/", "./my_model", "https://…") is a URL.
  openFiles: (location, options) =>
    isHubId(location) ? new HubFileSource(location, options) : new UrlFileSource(location, options.progressCallback),
};
