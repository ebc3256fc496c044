// Hugging Face Hub addressing, shared by Node (hub.ts: downloads into the HF cache on disk) and browsers
// (hub_browser.ts: the Cache API): what a repo id looks like, which host and path layout serve its files, and
// the URL of one file at one revision. Pure: no fetch, no file system.

export type RepoType = 'model' | 'dataset';

/**
 * Where model ids are fetched from, in transformers.js's names. Point remoteHost at a mirror or a local server
 * that serves `{remoteHost}{remotePathTemplate}{file}`. In Node, `HF_ENDPOINT` and the `endpoint` option win.
 */
export const env = {
  /** Base URL of the Hub (default https://huggingface.co/). */
  remoteHost: 'https://huggingface.co/',
  /** A repo's files under remoteHost: {model} is the repo id, {revision} the branch, tag or commit. */
  remotePathTemplate: '{model}/resolve/{revision}/',
  /** Browsers: keep fetched files in the Cache API (caches.open(cacheName)), so a second load makes no request. */
  useBrowserCache: true,
  /** The Cache API cache that holds them (delete it to fetch everything again). */
  cacheName: 'webtune-hub',
};

// Ids the Hub still answers with a redirect to the org-qualified repo; the HF cache may hold either name.
export const HUB_ALIASES: Readonly<Record<string, string>> = {
  'distilbert-base-uncased': 'distilbert/distilbert-base-uncased',
  'distilbert-base-cased': 'distilbert/distilbert-base-cased',
  'distilbert-base-uncased-finetuned-sst-2-english': 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
  'bert-base-uncased': 'google-bert/bert-base-uncased',
  'bert-base-cased': 'google-bert/bert-base-cased',
  imdb: 'stanfordnlp/imdb',
  glue: 'nyu-mll/glue',
};

const ID_RE = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/** "user/model" or a legacy "model" → true; paths, URLs and ids the Hub would refuse ("a/../b", "a--b") → false. */
export function isHubId(s: string): boolean {
  return ID_RE.test(s) && !s.includes('..') && !s.includes('--');
}

/** The files a model directory is made of: config.json is required; weights are found by the safetensors loader. */
export const MODEL_REQUIRED_FILES: readonly string[] = ['config.json'];
export const MODEL_OPTIONAL_FILES: readonly string[] = [
  'vocab.txt',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

export interface HubLocation {
  /** Base URL (a trailing slash is optional). */
  host: string;
  /** Path template with {model} and {revision} (default env.remotePathTemplate). */
  pathTemplate?: string;
  type?: RepoType;
}

/** where, id, revision, file ("onnx/model.onnx") → the URL that serves it; a dataset's path starts with datasets/. */
export function hubFileUrl(where: HubLocation, id: string, revision: string, file: string): string {
  const host = where.host.endsWith('/') ? where.host : `${where.host}/`;
  const template = where.pathTemplate ?? env.remotePathTemplate;
  const path = template.replaceAll('{model}', id).replaceAll('{revision}', encodeURIComponent(revision));
  const dir = path.endsWith('/') || path === '' ? path : `${path}/`;
  const prefix = where.type === 'dataset' ? 'datasets/' : '';
  return `${host}${prefix}${dir}${file.split('/').map(encodeURIComponent).join('/')}`;
}
