// The demo page's controller (dist/browser/demo.js): wires the panels to the worker and draws results.
// Imports no engine code: the model lives in worker.ts, so the page stays responsive during GPU work.

import { demoCorpus, DEMO_ID2LABEL } from '../demo/corpus.js';
import { isHubId } from '../io/hub_url.js';
import type { LabelScore } from '../pipeline/postprocess.js';
import { canSaveToFolder, downloadZip, saveToFolder } from './download.js';
import { drawLossChart } from './loss_chart.js';
import { $, setStatus, WorkerClient } from './page.js';
import type { ModelInfo, ModelSource } from './protocol.js';
import { runFineTune } from './train_panel.js';

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const client = new WorkerClient(worker);
let model: ModelInfo | undefined;
let busy = false;
let gpuReady = false;

worker.onerror = (e) => setStatus('model-status', `worker failed: ${e.message}`, true);

function setBusy(value: boolean): void {
  busy = value;
  for (const id of ['load-url', 'model-files']) ($(id) as HTMLButtonElement).disabled = value || !gpuReady;
  for (const id of ['classify', 'train', 'download-zip', 'save-folder'])
    ($(id) as HTMLButtonElement).disabled = value || !model;
}

/** Runs one job with the controls disabled; its errors go to the given status line. */
async function exclusive(statusId: string, what: string, job: () => Promise<void>): Promise<void> {
  if (busy) return;
  setBusy(true);
  try {
    await job();
  } catch (err) {
    setStatus(statusId, `${what}: ${(err as Error).message}`, true);
  } finally {
    setBusy(false);
  }
}

/** Opens the GPU in the worker; without WebGPU the page says so plainly instead of failing later. */
async function startGpu(): Promise<boolean> {
  try {
    const ready = await client.request<'ready'>({ type: 'init' });
    $('adapter').textContent =
      `WebGPU adapter: ${ready.adapter}${ready.features.length ? ` · features: ${ready.features.join(', ')}` : ''}`;
    gpuReady = true;
  } catch (err) {
    // NoAdapterError's message: what failed, then what a browser user can do about it.
    const banner = $('no-webgpu');
    banner.textContent = `This browser cannot run webtune. ${(err as Error).message.replace(/^webtune: /, '')}`;
    banner.hidden = false;
    $('adapter').textContent = 'WebGPU adapter: none';
    setStatus('model-status', 'No model can be loaded without WebGPU.', true);
  }
  setBusy(false);
  return gpuReady;
}

async function loadModel(source: ModelSource, what: string): Promise<void> {
  const bar = $<HTMLProgressElement>('model-progress');
  await exclusive('model-status', `Could not load ${what}`, async () => {
    bar.hidden = false;
    bar.removeAttribute('value'); // indeterminate until sizes are known
    setStatus('model-status', `Loading ${what}…`);
    try {
      const done = await client.request<'loaded'>({ type: 'load', source }, (e) => {
        if (e.type !== 'progress') return;
        if (e.total > 0) bar.value = e.loaded / e.total;
        setStatus(
          'model-status',
          `Loading ${e.file}: ${(e.loaded / 1e6).toFixed(1)}${e.total ? ` / ${(e.total / 1e6).toFixed(1)}` : ''} MB`,
        );
      });
      model = done.info;
      const m = done.info;
      const fetched =
        source.kind === 'files'
          ? ''
          : ` ${m.files} files read, ${m.downloaded} downloaded${source.kind === 'hub' ? ' (the rest from the browser cache)' : ''}.`;
      setStatus(
        'model-status',
        `Loaded ${what} in ${(m.loadMs / 1000).toFixed(2)} s: ${m.family}, ${m.layers} layers, dim ${m.dim}, ` +
          `${(m.parameters / 1e6).toFixed(2)} M parameters; labels ${m.labels.join(', ')}; up to ${m.maxLength} tokens.${fetched}`,
      );
    } finally {
      bar.hidden = true;
    }
  });
}

async function classify(): Promise<void> {
  const raw = $<HTMLTextAreaElement>('review').value;
  const perLine = $<HTMLInputElement>('per-line').checked;
  const texts = perLine ? raw.split('\n').filter((l) => l.trim() !== '') : raw.trim() ? [raw] : [];
  if (texts.length === 0) return setStatus('timing', 'Write a review first.');
  const topK = $<HTMLSelectElement>('top-k').value === 'all' ? null : 1;
  await exclusive('timing', 'Error', async () => {
    setStatus('timing', `Classifying ${texts.length} review${texts.length > 1 ? 's' : ''}…`);
    const t0 = performance.now();
    const done = await client.request<'classified'>({ type: 'classify', texts, topK });
    renderResults(texts, done.results);
    $('results-json').textContent = JSON.stringify(done.results);
    setStatus(
      'timing',
      `${done.ms.toFixed(1)} ms in the worker · ${(performance.now() - t0).toFixed(1)} ms round trip`,
    );
  });
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

/** The text field holds a URL ("/model/", "https://…") or a Hub id ("user/model", fetched from the Hub host). */
function sourceFromField(): ModelSource | undefined {
  const value = $<HTMLInputElement>('model-url').value.trim();
  if (!value) return undefined;
  if (!isHubId(value)) return { kind: 'url', url: value };
  return { kind: 'hub', id: value, host: $<HTMLInputElement>('hub-host').value.trim() || 'https://huggingface.co/' };
}

function wire(): void {
  $('load-url').addEventListener('click', () => {
    const source = sourceFromField();
    if (source) void loadModel(source, $<HTMLInputElement>('model-url').value.trim());
  });
  $('model-files').addEventListener('change', async (e) => {
    const picked = Array.from((e.target as HTMLInputElement).files ?? []);
    if (picked.length === 0) return;
    const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    void loadModel({ kind: 'files', files }, `${picked.length} files`);
  });
  $('classify').addEventListener('click', () => void classify());
  $('train').addEventListener(
    'click',
    () => void exclusive('train-status', 'Fine-tuning failed', () => runFineTune(client, model!.labels)),
  );
  $('download-zip').addEventListener(
    'click',
    () => void exclusive('download-status', 'Download failed', () => downloadZip(client)),
  );
  $('save-folder').hidden = !canSaveToFolder();
  $('save-folder').addEventListener(
    'click',
    () => void exclusive('download-status', 'Saving failed', () => saveToFolder(client)),
  );
  $('clear-files').addEventListener('click', () => {
    for (const id of ['train-file', 'eval-file']) $<HTMLInputElement>(id).value = '';
  });
}

async function start(): Promise<void> {
  wire();
  // A starter training set from the built-in demo corpus (labels as the golden models name them).
  $<HTMLTextAreaElement>('train-data').value = demoCorpus()
    .train.slice(0, 16)
    .map((ex) => `${DEMO_ID2LABEL[ex.label]}\t${ex.text}`)
    .join('\n');
  drawLossChart($('loss-chart') as unknown as SVGSVGElement, [], 2);
  setBusy(true);
  if (!(await startGpu())) return;
  // The server says whether it was started with --model; if so, load it right away.
  const cfg = await fetch('demo-config.json')
    .then((r) => (r.ok ? r.json() : { modelUrl: null }))
    .catch(() => ({ modelUrl: null }));
  if (!cfg.modelUrl) return setStatus('model-status', 'No model loaded: give its URL or Hub id, or pick its files.');
  $<HTMLInputElement>('model-url').value = cfg.modelUrl;
  await loadModel({ kind: 'url', url: cfg.modelUrl }, cfg.modelUrl);
}

void start();
