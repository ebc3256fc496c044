// The browser as a product, in headless Chromium (WebGPU on SwiftShader): models by Hub id through the Cache API
// (against a local server with the Hub's URL layout, counting its requests), fine-tuning from picked JSONL/CSV/TSV
// files with an eval split (accuracy per epoch, progress with ETA, memory flat over 200 steps), the fine-tuned model
// downloaded as a Hugging Face directory that dist/predict.js reads back, dispose() leaving the device usable, and a
// browser without WebGPU told so on the page.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCorpus, DEMO_ID2LABEL } from '../src/demo/corpus.js';
import { buildDemoVocab } from '../src/demo/vocab.js';
import {
  BertTokenizer,
  DistilBertConfig,
  DistilBertForSequenceClassification,
  pipeline,
  savePretrained,
  type LabelScore,
  type ProgressInfo,
  type TextClassificationPipeline,
} from '../src/index.js';
import { classifyInPage, ensureBuilt, expectSame, launchChromium, startDemoServer } from './helpers/browser.js';
import { startHubServer, type HubServer } from './helpers/hub_server.js';
import { gpu } from './helpers/gpu.js';

// The golden small model (real vocab) for loading by Hub id; a tiny one (1 layer, dim 32, the demo corpus's
// WordPiece vocab), made here, for everything that trains, so 200 steps stay quick on SwiftShader.
const MODEL = resolve('../shared/golden/small-distilbert-realvocab');
const HUB_ID = 'webtune-test/small-realvocab';
const HUB_ID_UI = 'webtune-test/tiny-demo';
const e2e = JSON.parse(readFileSync(join(MODEL, 'e2e.json'), 'utf8')) as { texts: string[] };
const REVIEWS = [e2e.texts[2]!, e2e.texts[5]!, 'Loved it.', 'A dull, lifeless mess.'];
const CORPUS = demoCorpus();
const labelName = (label: number): string => DEMO_ID2LABEL[label]!.toLowerCase();

let tmp: string;
let tinyDir: string;
let tiny: TextClassificationPipeline;
let demo: ChildProcess;
let baseUrl: string;
let hub: HubServer;
let browser: Browser;
let page: Page;
let node: TextClassificationPipeline;
const consoleLines: string[] = [];

/** Clicks Fine-tune and waits for the run to end; returns the final status line. */
async function trainInPage(): Promise<string> {
  await page.evaluate(() => (document.querySelector('#loss-json')!.textContent = ''));
  await page.click('#train');
  await page.waitForFunction(
    () => document.querySelector('#loss-json')!.textContent !== '' || document.querySelector('#train-status.error'),
    null,
    { timeout: 300_000 },
  );
  return (await page.textContent('#train-status'))!;
}

const csvField = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** A freshly initialised 1-layer DistilBERT with the demo corpus's vocab, saved as a HF directory. */
async function writeTinyModel(dir: string): Promise<void> {
  const vocab = buildDemoVocab(CORPUS.train.map((e) => e.text));
  const tokenizer = BertTokenizer.fromVocab(vocab.join('\n') + '\n', { modelMaxLength: 64 });
  const label2id = { NEGATIVE: 0, POSITIVE: 1 };
  const config = new DistilBertConfig({
    vocab_size: vocab.length,
    dim: 32,
    n_layers: 1,
    n_heads: 2,
    hidden_dim: 64,
    max_position_embeddings: 64,
    id2label: DEMO_ID2LABEL,
    label2id,
  });
  const model = DistilBertForSequenceClassification.fromConfig(config, { seed: 7 });
  await savePretrained(model, dir);
  model.dispose();
  for (const [name, bytes] of tokenizer.saveFiles()) writeFileSync(join(dir, name), bytes);
}

beforeAll(async () => {
  ensureBuilt();
  await gpu();
  tmp = mkdtempSync(join(tmpdir(), 'webtune-product-'));
  tinyDir = join(tmp, 'tiny');
  await writeTinyModel(tinyDir);
  node = await pipeline('sentiment-analysis', MODEL);
  tiny = await pipeline('sentiment-analysis', tinyDir);
  ({ url: baseUrl, server: demo } = await startDemoServer(['--model', tinyDir]));
  hub = await startHubServer({ [HUB_ID]: MODEL, [HUB_ID_UI]: tinyDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 1600 }, acceptDownloads: true });
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(120_000);
  await page.goto(baseUrl);
  await page.waitForSelector('#classify:not([disabled])');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  demo?.kill();
  hub?.server.close();
  node?.dispose();
  tiny?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the browser product (headless Chromium, WebGPU)', () => {
  it('loads a model by Hub id from a Hub-layout host with progress events; a second load makes no request', async () => {
    // Each phase is one page.evaluate, so the server's request log can be read between them.
    type Loaded = { scores: LabelScore[][]; events: ProgressInfo[] };
    const loadById = `(async ([host, id, texts]) => {
      const wt = await import('/webtune.js');
      wt.env.remoteHost = host;
      const events = [];
      const p = await wt.pipeline('sentiment-analysis', id, { progressCallback: (e) => events.push(e) });
      const scores = await p.classify(texts, { topK: null });
      p.dispose();
      return { scores, events };
    })(${JSON.stringify([hub.url, HUB_ID, REVIEWS])})`;
    const ofRepo = (): string[] => hub.requests.filter((r) => r.includes(`/${HUB_ID}/`));

    const first = (await page.evaluate(loadById)) as Loaded;
    const firstRequests = ofRepo();
    // Every file over the network at /{id}/resolve/main/{file}; tokenizer.json is not in the repo (a 404).
    expect(firstRequests).toEqual(
      expect.arrayContaining([
        `GET /${HUB_ID}/resolve/main/config.json`,
        `GET /${HUB_ID}/resolve/main/model.safetensors`,
        `HEAD /${HUB_ID}/resolve/main/tokenizer.json`,
      ]),
    );
    // transformers.js's events: initiate → download → progress… → done per file, then ready.
    const weights = first.events.filter((e) => 'file' in e && e.file === 'model.safetensors');
    const size = statSync(join(MODEL, 'model.safetensors')).size;
    expect(weights[0]).toEqual({ status: 'initiate', name: HUB_ID, file: 'model.safetensors' });
    expect(weights[1]).toEqual({ status: 'download', name: HUB_ID, file: 'model.safetensors' });
    expect(weights.at(-2)).toMatchObject({ status: 'progress', loaded: size, total: size, progress: 100 });
    expect(weights.at(-1)).toEqual({ status: 'done', name: HUB_ID, file: 'model.safetensors', loaded: size });
    expect(first.events.at(-1)).toEqual({ status: 'ready', task: 'sentiment-analysis', model: HUB_ID });

    // Second load, then fromPretrained of model and tokenizer: all from the Cache API, the 404 too; not one request.
    const second = (await page.evaluate(loadById)) as Loaded;
    const tokens = (await page.evaluate(`(async ([id, text]) => {
      const wt = await import('/webtune.js');
      const model = await wt.DistilBertForSequenceClassification.fromPretrained(id);
      model.dispose();
      return (await wt.BertTokenizer.fromPretrained(id)).encode(text).inputIds.length;
    })(${JSON.stringify([HUB_ID, REVIEWS[2]])})`)) as number;
    expect(ofRepo()).toEqual(firstRequests);
    expect(tokens).toBe(5); // [CLS] loved it . [SEP]
    expect(second.events.filter((e) => e.status === 'download' || e.status === 'progress')).toEqual([]);
    expect(second.events.filter((e) => e.status === 'done').map((e) => 'file' in e && e.file)).toContain(
      'model.safetensors',
    );
    const want = await node.classify(REVIEWS, { topK: null });
    const worst = Math.max(expectSame(first.scores, want), expectSame(second.scores, want));
    console.log(`Hub id in the page vs Node: max |Δscore| ${worst.toExponential(2)}`);

    // Another revision is other URLs, fetched anew; an id that is not there is an error naming the URL.
    const missing = (await page.evaluate(`(async (id) => {
      const wt = await import('/webtune.js');
      await wt.BertTokenizer.fromPretrained(id, { revision: 'v1.0' });
      return wt.pipeline('sentiment-analysis', 'nobody/nothing').then(() => 'loaded', (e) => e.message);
    })(${JSON.stringify(HUB_ID)})`)) as string;
    expect(ofRepo()).toContain(`GET /${HUB_ID}/resolve/v1.0/vocab.txt`);
    expect(missing).toMatch(
      /nobody\/nothing\/resolve\/main\/: no tokenizer here \(none of tokenizer\.json, vocab\.txt, vocab\.json \+ merges\.txt exists\)/,
    );
  });

  it('the page loads a Hub id from the host it is given; after a reload the same id loads from the browser cache', async () => {
    const load = async (): Promise<string> => {
      await page.fill('#model-url', HUB_ID_UI);
      await page.fill('#hub-host', hub.url);
      await page.click('#load-url');
      await page.waitForFunction(
        (id) =>
          document.querySelector('#model-status')!.textContent!.startsWith(`Loaded ${id} `) ||
          document.querySelector('#model-status.error'),
        HUB_ID_UI,
      );
      return (await page.textContent('#model-status'))!;
    };
    const before = hub.requests.length;
    expect(await load(), consoleLines.join('\n')).toMatch(
      new RegExp(`^Loaded ${HUB_ID_UI} .* \\d+ files read, [1-9]\\d* downloaded`),
    );
    expect(hub.requests.length).toBeGreaterThan(before);
    await page.reload();
    await page.waitForSelector('#classify:not([disabled])'); // the server's /model/ again
    const afterReload = hub.requests.length;
    expect(await load()).toMatch(/ \d+ files read, 0 downloaded \(the rest from the browser cache\)/);
    expect(hub.requests.slice(afterReload), 'requests after the reload').toEqual([]);
    expectSame(await classifyInPage(page, REVIEWS), await tiny.classify(REVIEWS, { topK: null }));
  });

  it('a picked file with a bad label is refused before training, naming the file and line', async () => {
    await page.setInputFiles('#train-file', {
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('text,label\ngood film,positive\nodd film,maybe\n'),
    });
    expect(await trainInPage()).toMatch(
      /^Fine-tuning failed: bad\.csv \(line 3\): label "maybe" is not in the label set/,
    );
  });

  it('fine-tunes from a picked CSV with a held-out split: 200 steps, accuracy per epoch, progress with ETA, flat memory', async () => {
    // 45 rows, 10% held out (5) → 40 to train on: 20 steps of 2 per epoch, 10 epochs.
    const rows = CORPUS.train.slice(0, 45).map((e) => `${csvField(e.text)},${labelName(e.label)}`);
    await page.setInputFiles('#train-file', {
      name: 'reviews.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`sentence,label\n${rows.join('\n')}\n`),
    });
    await page.fill('#eval-fraction', '0.1');
    await page.fill('#epochs', '10');
    await page.fill('#lr', '3e-3');
    await page.fill('#train-batch', '2');
    await page.evaluate(() => (document.querySelector('#loss-json')!.textContent = ''));
    await page.click('#train');
    // While it runs: the bar moves and the line under it gives an ETA.
    await page.waitForFunction(() => (document.querySelector('#train-progress') as HTMLProgressElement).value > 0.05);
    expect(await page.isVisible('#train-progress')).toBe(true);
    expect(await page.textContent('#train-eta')).toMatch(/^step \d+\/200 · .* steps\/s · ETA \d+(s|m\d\ds)$/);
    expect(await page.textContent('#train-status')).toBe(
      'Fine-tuning on 40 examples, evaluating on 5 after each epoch: 200 steps…',
    );
    await page.waitForFunction(
      () => document.querySelector('#loss-json')!.textContent !== '' || document.querySelector('#train-status.error'),
      null,
      { timeout: 600_000 },
    );
    const status = (await page.textContent('#train-status'))!;
    expect(status, consoleLines.join('\n')).toMatch(
      /^Done: 200 steps in [\d.]+ s; loss [\d.]+ → [\d.]+; eval accuracy [\d.]+% → [\d.]+%/,
    );
    expect(await page.isHidden('#train-progress')).toBe(true);

    const losses: number[] = JSON.parse((await page.textContent('#loss-json'))!);
    const accuracy: { step: number; accuracy: number }[] = JSON.parse((await page.textContent('#accuracy-json'))!);
    expect(losses).toHaveLength(100); // a long run logs (reads the loss back) every other step: 100 points at most
    expect(accuracy.map((a) => a.step)).toEqual([20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    for (const a of accuracy) expect(a.accuracy * 5).toBeCloseTo(Math.round(a.accuracy * 5), 6); // k of 5 right
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10))); // 10 passes over 160 examples: it learns them
    expect(await page.locator('#loss-chart circle.accuracy').count()).toBe(10);
    expect((await page.getAttribute('#loss-chart polyline.loss', 'points'))!.trim().split(/\s+/)).toHaveLength(100);

    // Memory, sampled in the page after every step with the engine's memory(): flat once the first epoch has run.
    const memory: { step: number; bytesAllocated: number; bytesInUse: number; liveTensors: number }[] = JSON.parse(
      (await page.textContent('#memory-json'))!,
    );
    expect(memory.map((m) => m.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const firstHalf = Math.max(...memory.slice(0, 100).map((m) => m.bytesAllocated));
    const secondHalf = Math.max(...memory.slice(100).map((m) => m.bytesAllocated));
    const live = new Set(memory.slice(20).map((m) => m.liveTensors));
    console.log(
      `in-page memory over 200 steps: bytesAllocated ${(memory[0]!.bytesAllocated / 2 ** 20).toFixed(1)} → max ${(firstHalf / 2 ** 20).toFixed(1)} MiB ` +
        `(steps 1-100), max ${(secondHalf / 2 ** 20).toFixed(1)} MiB (steps 101-200); live tensors ${[...live].join(', ')}; ${status}`,
    );
    const shot = join(process.env.WEBTUNE_ARTIFACTS ?? join(tmpdir(), 'webtune-artifacts'), 'browser-product.png');
    mkdirSync(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    expect(secondHalf).toBeLessThanOrEqual(firstHalf);
    expect(live.size).toBe(1);
    expect(memory[199]!.liveTensors).toBe(memory[19]!.liveTensors);
  }, 600_000);

  it('fine-tunes from a picked JSONL with its own eval file (TSV)', async () => {
    const jsonl = CORPUS.train.slice(200, 216).map((e) => JSON.stringify({ text: e.text, label: e.label }));
    const tsv = ['sentence\tlabel', ...CORPUS.test.slice(0, 24).map((e) => `${e.text}\t${e.label}`)];
    await page.setInputFiles('#train-file', {
      name: 'train.jsonl',
      mimeType: 'application/json',
      buffer: Buffer.from(jsonl.join('\n')),
    });
    await page.setInputFiles('#eval-file', {
      name: 'dev.tsv',
      mimeType: 'text/tab-separated-values',
      buffer: Buffer.from(tsv.join('\n')),
    });
    await page.fill('#epochs', '1');
    await page.fill('#train-batch', '8');
    expect(await trainInPage()).toMatch(/^Done: 2 steps .*; eval accuracy [\d.]+% → [\d.]+%/);
    const accuracy: { step: number; accuracy: number }[] = JSON.parse((await page.textContent('#accuracy-json'))!);
    expect(accuracy).toHaveLength(1);
    expect(accuracy[0]!.accuracy * 24).toBeCloseTo(Math.round(accuracy[0]!.accuracy * 24), 6); // 24 dev rows under the header
    await page.click('#clear-files');
  });

  it('downloads the fine-tuned model as a zip of a HF directory; dist/predict.js on it agrees with the page', async () => {
    const inPage = await classifyInPage(page, REVIEWS);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-zip')]);
    expect(download.suggestedFilename()).toBe('webtune-model.zip');
    const zipPath = join(tmp, 'webtune-model.zip');
    await download.saveAs(zipPath);
    await page.waitForFunction(() =>
      /^Saved webtune-model\.zip/.test(document.querySelector('#download-status')!.textContent!),
    );
    const entries = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const names = Object.keys(entries).sort();
    expect(names).toEqual(
      expect.arrayContaining(
        ['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.txt'].map(
          (n) => `webtune-model/${n}`,
        ),
      ),
    );
    for (const [name, bytes] of Object.entries(entries)) {
      mkdirSync(join(tmp, 'webtune-model'), { recursive: true });
      writeFileSync(join(tmp, name), bytes);
    }
    const args = [
      'dist/predict.js',
      '--model',
      join(tmp, 'webtune-model'),
      '--top-k',
      'all',
      ...REVIEWS.flatMap((t) => ['--text', t]),
    ];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LabelScore[]);
    console.log(`downloaded model: predict.js vs the page, max |Δscore| ${expectSame(out, inPage).toExponential(2)}`);
    // The fine-tuning changed the weights: the downloaded model is not the one the server gave the page.
    const original = await tiny.classify(REVIEWS, { topK: null });
    expect(
      Math.max(
        ...out.map((rows, i) => Math.abs(rows[0]!.score - original[i]!.find((r) => r.label === rows[0]!.label)!.score)),
      ),
    ).toBeGreaterThan(1e-3);

    // The File System Access path, into the origin-private file system (a real directory handle; the picker itself
    // needs a user). A second save into the same folder asks first, and writes nothing when told no.
    await page.evaluate(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = async () =>
        (await navigator.storage.getDirectory()).getDirectoryHandle('saved-model', { create: true });
    });
    await page.click('#save-folder');
    await page.waitForFunction(() =>
      /^(Wrote|Saving failed)/.test(document.querySelector('#download-status')!.textContent!),
    );
    expect(await page.textContent('#download-status')).toMatch(
      /^Wrote config\.json, model\.safetensors, .* into saved-model\/\.$/,
    );
    const saved = (await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('saved-model');
      const file = await (await dir.getFileHandle('model.safetensors')).getFile();
      return Array.from(new Uint8Array(await file.arrayBuffer()));
    })) as number[];
    expect(Buffer.from(saved).equals(Buffer.from(entries['webtune-model/model.safetensors']!))).toBe(true);
    page.once('dialog', (d) => void d.dismiss());
    await page.click('#save-folder');
    await page.waitForFunction(() => /^Nothing written/.test(document.querySelector('#download-status')!.textContent!));
  });

  it('dispose() of a pipeline or a model leaves the shared device working: a new pipeline after it classifies', async () => {
    const script = `(async (texts) => {
      const wt = await import('/webtune.js');
      const first = await wt.pipeline('sentiment-analysis', '/model/');
      const a = await first.classify(texts, { topK: null });
      first.dispose();
      const afterDispose = await first.classify(texts).then(() => 'classified', (e) => e.message);
      const model = await wt.DistilBertForSequenceClassification.fromPretrained('/model/');
      model.dispose();
      const second = await wt.pipeline('sentiment-analysis', '/model/');
      const b = await second.classify(texts, { topK: null });
      second.dispose();
      return { a, b, afterDispose };
    })(${JSON.stringify(REVIEWS)})`;
    const out = (await page.evaluate(script)) as { a: LabelScore[][]; b: LabelScore[][]; afterDispose: string };
    expect(out.b).toEqual(out.a);
    expectSame(out.b, await tiny.classify(REVIEWS, { topK: null }));
    expect(out.afterDispose).toMatch(/disposed/);
  });

  it('a browser without WebGPU gets a clear message on the page', async () => {
    const plain = await launchChromium(false);
    try {
      const p = await plain.newPage();
      await p.goto(baseUrl);
      await p.waitForSelector('#no-webgpu:not([hidden])', { timeout: 60_000 });
      // Without WebGPU Chromium either has no navigator.gpu or an adapter request that comes back null.
      const message = (await p.textContent('#no-webgpu'))!;
      expect(message).toMatch(
        /^This browser cannot run webtune\. no WebGPU adapter could be had \((requestAdapter\(\) returned null|navigator\.gpu is not available.*)\)\.\nUse a browser with WebGPU enabled: Chrome or Edge 113/,
      );
      expect(message).not.toMatch(/Vulkan|apt-get/); // Node's advice is no use in a browser
      expect(await p.textContent('#model-status')).toBe('No model can be loaded without WebGPU.');
      expect(await p.isDisabled('#load-url')).toBe(true);
      expect(await p.isDisabled('#train')).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
