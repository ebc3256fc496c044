// The demo's Web Worker (dist/browser/worker.js): owns the WebGPU device, the model and the tokenizer.
// Requests run one at a time, in arrival order: a classification sent during fine-tuning waits for
// it, so the model is never read while an optimizer step rewrites it.

import { init, runtime } from '../runtime/device.js';
import {
  env,
  fileSourceFromPicked,
  labelOf,
  pipeline,
  pretrainedFiles,
  zipFolder,
  type FileSource,
  type ProgressInfo,
  type TextClassificationPipeline,
} from '../browser.js';
import { fineTune } from './fine_tune.js';
import type { ModelSource, NamedBytes, WorkerEvent, WorkerRequest } from './protocol.js';
import { trainSplits } from './train_data.js';

const post = (event: WorkerEvent, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(event, transfer);

/** The folder a downloaded model unpacks into. */
const MODEL_FOLDER = 'webtune-model';

let classifier: TextClassificationPipeline | undefined;
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const request = e.data;
  queue = queue
    .then(() => handle(request))
    .catch((err: unknown) => post({ type: 'error', id: request.id, message: errorText(err) }));
};

async function handle(req: WorkerRequest): Promise<void> {
  if (req.type === 'init') return start(req.id);
  if (req.type === 'load') return load(req.id, req.source);
  if (!classifier) throw new Error('no model is loaded yet');
  if (req.type === 'classify') {
    const t0 = performance.now();
    const results = await classifier.classify(req.texts, { topK: req.topK });
    post({ type: 'classified', id: req.id, results, ms: performance.now() - t0 });
  } else if (req.type === 'train') {
    const { id } = req;
    const t0 = performance.now();
    const splits = await trainSplits(req.data, labelsOf(classifier), req.settings.seed);
    const { steps, losses } = await fineTune(classifier, splits, req.settings, {
      onStart: (info) => post({ type: 'trainStart', id, ...info }),
      onStep: (info) => post({ type: 'trainStep', id, ...info }),
      onLog: (log) => post({ type: 'trainLog', id, ...log }),
      onEval: (result) => post({ type: 'trainEval', id, ...result }),
    });
    post({ type: 'trained', id, steps, ms: performance.now() - t0, losses });
  } else {
    // The same files the Trainer's final save writes (model + tokenizer), so what leaves the tab loads anywhere.
    const files = await pretrainedFiles(classifier.model, classifier.tokenizer);
    const out: NamedBytes[] =
      req.as === 'zip'
        ? [{ name: `${MODEL_FOLDER}.zip`, bytes: ownBuffer(zipFolder(files, MODEL_FOLDER)) }]
        : [...files].map(([name, bytes]) => ({ name, bytes: ownBuffer(bytes) }));
    post(
      { type: 'exported', id: req.id, name: MODEL_FOLDER, files: out },
      out.map((f) => f.bytes),
    );
  }
}

/** Opens the GPU device; a browser without WebGPU gets NoAdapterError's message back (the page shows it). */
async function start(id: number): Promise<void> {
  await init();
  const info = runtime().info;
  post({
    type: 'ready',
    id,
    adapter: `${info.description}${info.isSoftware ? ' (software)' : ''}`,
    features: info.features,
  });
}

async function load(id: number, source: ModelSource): Promise<void> {
  const t0 = performance.now();
  let files = 0;
  let downloaded = 0;
  const progressCallback = (p: ProgressInfo): void => {
    if (p.status === 'initiate') files++;
    else if (p.status === 'download') downloaded++;
    else if (p.status === 'progress') post({ type: 'progress', id, file: p.file, loaded: p.loaded, total: p.total });
  };
  let location: string | FileSource;
  if (source.kind === 'url') location = new URL(source.url, self.location.href).href;
  else if (source.kind === 'files') location = await fileSourceFromPicked(source.files);
  else {
    env.remoteHost = source.host;
    location = source.id;
  }
  const next = await pipeline('text-classification', location, { progressCallback, onWarning: (m) => console.warn(m) });
  classifier?.dispose();
  classifier = next;
  const { dims } = next.model.body.spec;
  const info = runtime().info;
  post({
    type: 'loaded',
    id,
    info: {
      adapter: `${info.description}${info.isSoftware ? ' (software)' : ''}`,
      features: info.features,
      labels: labelsOf(next),
      parameters: next.model.parameters().reduce((n, p) => n + p.size, 0),
      family: next.model.body.familyName,
      layers: dims.layers,
      dim: dims.hidden,
      maxLength: next.classifier.maxLength,
      loadMs: performance.now() - t0,
      files,
      downloaded,
    },
  });
}

/** id2label as an array: labels[i] names class i. */
function labelsOf(p: TextClassificationPipeline): string[] {
  return Array.from({ length: p.model.config.num_labels }, (_, i) => labelOf(p.model.config, i));
}

/** bytes → an ArrayBuffer holding exactly them, to transfer to the page (copied only when it is a view). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
