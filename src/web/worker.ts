// The demo's Web Worker (dist/browser/worker.js): owns the WebGPU device, the model and the tokenizer.
// Requests run one at a time, in arrival order: a classification sent during fine-tuning waits for
// it, so the model is never read while an optimizer step rewrites it.

import { UrlFileSource } from '../io/files_browser.js';
import type { FileSource } from '../io/files.js';
import { runtime } from '../runtime/device.js';
import { fileSourceFromPicked, pipeline, type TextClassificationPipeline } from '../browser.js';
import { fineTune } from './fine_tune.js';
import type { ModelSource, WorkerEvent, WorkerRequest } from './protocol.js';

const post = (event: WorkerEvent): void => (self as unknown as Worker).postMessage(event);

let classifier: TextClassificationPipeline | undefined;
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const request = e.data;
  queue = queue.then(() => handle(request)).catch((err: unknown) => post({ type: 'error', id: request.id, message: errorText(err) }));
};

async function handle(req: WorkerRequest): Promise<void> {
  if (req.type === 'load') return load(req.id, req.source);
  if (!classifier) throw new Error('no model is loaded yet');
  if (req.type === 'classify') {
    const t0 = performance.now();
    const results = await classifier.classify(req.texts, { topK: req.topK });
    post({ type: 'classified', id: req.id, results, ms: performance.now() - t0 });
    return;
  }
  const t0 = performance.now();
  const losses = await fineTune(classifier, req.examples, req.settings, (log) => post({ type: 'trainLog', id: req.id, ...log }));
  post({ type: 'trained', id: req.id, steps: losses.length, ms: performance.now() - t0, losses });
}

async function load(id: number, source: ModelSource): Promise<void> {
  const t0 = performance.now();
  let files: FileSource;
  if (source.kind === 'url') {
    files = new UrlFileSource(new URL(source.url, self.location.href).href, (file, loaded, total) =>
      post({ type: 'progress', id, file, loaded, total }),
    );
  } else {
    files = await fileSourceFromPicked(source.files);
  }
  const next = await pipeline('text-classification', files, { onWarning: (m) => console.warn(m) });
  classifier?.dispose();
  classifier = next;
  const { config } = next.model;
  const info = runtime().info;
  post({
    type: 'loaded',
    id,
    info: {
      adapter: `${info.description}${info.isSoftware ? ' (software)' : ''}`,
      features: info.features,
      labels: Array.from({ length: config.num_labels }, (_, i) => config.id2label[i] ?? `LABEL_${i}`),
      parameters: next.model.parameters().reduce((n, p) => n + p.size, 0),
      layers: config.n_layers,
      dim: config.dim,
      maxLength: next.classifier.maxLength,
      loadMs: performance.now() - t0,
    },
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
