// The demo page's controller (dist/browser/demo.js): wires the panels to the worker and draws results.
// Imports no engine code: the model lives in worker.ts, so the page stays responsive during GPU work.

import { demoCorpus, DEMO_ID2LABEL } from '../demo/corpus.js';
import type { LabelScore } from '../pipeline/postprocess.js';
import { parseLabeledLines } from './labeled.js';
import { drawLossChart } from './loss_chart.js';
import type { ModelInfo, ModelSource, TrainSettings, WorkerEvent, WorkerRequest } from './protocol.js';

/** A request without its id (the page numbers them); distributes over the union's members. */
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;
type Pending = { resolve: (e: WorkerEvent) => void; reject: (err: Error) => void; onEvent?: (e: WorkerEvent) => void };

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo page: #${id} is missing`);
  return node as T;
};

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const pending = new Map<number, Pending>();
let nextId = 1;
let model: ModelInfo | undefined;
let busy = false;

worker.onmessage = (e: MessageEvent<WorkerEvent>) => {
  const event = e.data;
  const p = pending.get(event.id);
  if (!p) return;
  if (event.type === 'progress' || event.type === 'trainLog') return p.onEvent?.(event);
  pending.delete(event.id);
  if (event.type === 'error') p.reject(new Error(event.message));
  else p.resolve(event);
};
worker.onerror = (e) => setStatus('model-status', `worker failed: ${e.message}`, true);

/** Sends one request; resolves with its final event (progress/log events go to onEvent). */
function request<T extends WorkerEvent['type']>(
  req: RequestBody,
  onEvent?: (e: WorkerEvent) => void,
): Promise<Extract<WorkerEvent, { type: T }>> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (e: WorkerEvent) => void, reject, onEvent });
    worker.postMessage({ ...req, id });
  });
}

function setStatus(id: string, text: string, error = false): void {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle('error', error);
}

function setBusy(value: boolean): void {
  busy = value;
  for (const id of ['load-url', 'model-files']) ($(id) as HTMLButtonElement).disabled = value;
  for (const id of ['classify', 'train']) ($(id) as HTMLButtonElement).disabled = value || !model;
}

async function loadModel(source: ModelSource, what: string): Promise<void> {
  if (busy) return;
  setBusy(true);
  const bar = $<HTMLProgressElement>('model-progress');
  bar.hidden = false;
  bar.removeAttribute('value'); // indeterminate until sizes are known
  setStatus('model-status', `Loading ${what}…`);
  try {
    const done = await request<'loaded'>({ type: 'load', source }, (e) => {
      if (e.type !== 'progress') return;
      if (e.total > 0) bar.value = e.loaded / e.total;
      setStatus('model-status', `Loading ${e.file}: ${(e.loaded / 1e6).toFixed(1)}${e.total ? ` / ${(e.total / 1e6).toFixed(1)}` : ''} MB`);
    });
    model = done.info;
    const m = done.info;
    $('adapter').textContent = `WebGPU adapter: ${m.adapter}${m.features.length ? ` · features: ${m.features.join(', ')}` : ''}`;
    setStatus(
      'model-status',
      `Loaded ${what} in ${(m.loadMs / 1000).toFixed(2)} s: DistilBERT, ${m.layers} layers, dim ${m.dim}, ` +
        `${(m.parameters / 1e6).toFixed(2)} M parameters; labels ${m.labels.join(', ')}; up to ${m.maxLength} tokens.`,
    );
  } catch (err) {
    setStatus('model-status', `Could not load ${what}: ${(err as Error).message}`, true);
  } finally {
    bar.hidden = true;
    setBusy(false);
  }
}

async function classify(): Promise<void> {
  const raw = $<HTMLTextAreaElement>('review').value;
  const perLine = $<HTMLInputElement>('per-line').checked;
  const texts = perLine ? raw.split('\n').filter((l) => l.trim() !== '') : raw.trim() ? [raw] : [];
  if (texts.length === 0) return setStatus('timing', 'Write a review first.');
  const topK = $<HTMLSelectElement>('top-k').value === 'all' ? null : 1;
  setBusy(true);
  setStatus('timing', `Classifying ${texts.length} review${texts.length > 1 ? 's' : ''}…`);
  const t0 = performance.now();
  try {
    const done = await request<'classified'>({ type: 'classify', texts, topK });
    renderResults(texts, done.results);
    $('results-json').textContent = JSON.stringify(done.results);
    setStatus('timing', `${done.ms.toFixed(1)} ms in the worker · ${(performance.now() - t0).toFixed(1)} ms round trip`);
  } catch (err) {
    setStatus('timing', `Error: ${(err as Error).message}`, true);
  } finally {
    setBusy(false);
  }
}

function renderResults(texts: string[], results: LabelScore[][]): void {
  const body = $('results').querySelector('tbody')!;
  body.replaceChildren();
  results.forEach((labels, i) => {
    labels.forEach((r, j) => {
      const tr = document.createElement('tr');
      const text = document.createElement('td');
      text.className = 'text';
      text.textContent = j === 0 ? texts[i]! : '';
      text.title = texts[i]!;
      const label = document.createElement('td');
      label.className = 'label';
      label.textContent = r.label;
      const score = document.createElement('td');
      score.textContent = r.score.toFixed(4);
      const barCell = document.createElement('td');
      barCell.style.width = '30%';
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${(r.score * 100).toFixed(1)}%`;
      barCell.append(bar);
      tr.append(text, label, score, barCell);
      body.append(tr);
    });
  });
}

async function fineTune(): Promise<void> {
  if (!model) return;
  let settings: TrainSettings;
  let examples;
  try {
    examples = parseLabeledLines($<HTMLTextAreaElement>('train-data').value, model.labels);
    settings = readSettings();
  } catch (err) {
    return setStatus('train-status', (err as Error).message, true);
  }
  const steps = settings.epochs * Math.ceil(examples.length / settings.batchSize);
  const points: { step: number; loss: number }[] = [];
  const svg = $('loss-chart') as unknown as SVGSVGElement;
  drawLossChart(svg, points, steps);
  setBusy(true);
  setStatus('train-status', `Fine-tuning on ${examples.length} examples: ${steps} steps…`);
  try {
    const done = await request<'trained'>({ type: 'train', examples, settings }, (e) => {
      if (e.type !== 'trainLog') return;
      points.push({ step: e.step, loss: e.loss });
      drawLossChart(svg, points, e.maxSteps);
      setStatus('train-status', `step ${e.step}/${e.maxSteps} · epoch ${e.epoch.toFixed(2)} · loss ${e.loss.toFixed(4)} · lr ${e.learningRate.toExponential(2)}`);
    });
    $('loss-json').textContent = JSON.stringify(done.losses);
    const first = done.losses[0] ?? NaN;
    const last = done.losses[done.losses.length - 1] ?? NaN;
    setStatus('train-status', `Done: ${done.steps} steps in ${(done.ms / 1000).toFixed(1)} s; loss ${first.toFixed(4)} → ${last.toFixed(4)}. Classify again to use the fine-tuned model.`);
  } catch (err) {
    setStatus('train-status', `Fine-tuning failed: ${(err as Error).message}`, true);
  } finally {
    setBusy(false);
  }
}

function readSettings(): TrainSettings {
  const num = (id: string, what: string, integer: boolean): number => {
    const v = Number($<HTMLInputElement>(id).value);
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new Error(`${what} must be a positive ${integer ? 'integer' : 'number'}`);
    return v;
  };
  return { epochs: num('epochs', 'epochs', true), learningRate: num('lr', 'learning rate', false), batchSize: num('train-batch', 'batch size', true), seed: 42 };
}

function start(): void {
  $('load-url').addEventListener('click', () => {
    const url = $<HTMLInputElement>('model-url').value.trim();
    if (url) void loadModel({ kind: 'url', url }, url);
  });
  $('model-files').addEventListener('change', async (e) => {
    const picked = Array.from((e.target as HTMLInputElement).files ?? []);
    if (picked.length === 0) return;
    const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    void loadModel({ kind: 'files', files }, `${picked.length} files`);
  });
  $('classify').addEventListener('click', () => void classify());
  $('train').addEventListener('click', () => void fineTune());
  // A starter training set from the built-in demo corpus (labels as the golden models name them).
  $<HTMLTextAreaElement>('train-data').value = demoCorpus()
    .train.slice(0, 16)
    .map((ex) => `${DEMO_ID2LABEL[ex.label]}\t${ex.text}`)
    .join('\n');
  drawLossChart($('loss-chart') as unknown as SVGSVGElement, [], 2);
  // The server says whether it was started with --model; if so, load it right away.
  fetch('demo-config.json')
    .then((r) => (r.ok ? r.json() : { modelUrl: null }))
    .then((cfg: { modelUrl: string | null }) => {
      if (!cfg.modelUrl) return setStatus('model-status', 'No model loaded: pick its files or give its URL.');
      $<HTMLInputElement>('model-url').value = cfg.modelUrl;
      return loadModel({ kind: 'url', url: cfg.modelUrl }, cfg.modelUrl);
    })
    .catch(() => setStatus('model-status', 'No model loaded: pick its files or give its URL.'));
}

start();
