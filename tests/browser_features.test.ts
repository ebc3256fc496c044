// Feature extraction in the browser (headless Chromium, WebGPU on SwiftShader) equals Node within 1e-5: the browser
// bundle's pipeline('feature-extraction') on BERT and RoBERTa directories served at the Hub's URL layout, every
// token's last hidden state and the mean-pooled, normalised sentence embedding, against the same pipeline in Node.
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline } from '../src/index.js';
import { ensureBuilt, launchChromium, startDemoServer } from './helpers/browser.js';
import { startHubServer, type HubServer } from './helpers/hub_server.js';
import { gpu } from './helpers/gpu.js';
import { readGoldenJson } from './distilbert.helpers.js';

const FAMILIES = [
  { dir: 'tiny-bert', id: 'webtune-test/tiny-bert' },
  { dir: 'tiny-roberta', id: 'webtune-test/tiny-roberta' },
];
const feats = readGoldenJson('tiny-bert/feature_inputs.json');
const TEXTS: string[] = [...feats.texts.slice(4), 'Two sentences here. And a second one!'];

let demo: ChildProcess;
let hub: HubServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ensureBuilt();
  await gpu();
  const server = await startDemoServer([]);
  demo = server.server;
  hub = await startHubServer(Object.fromEntries(FAMILIES.map((f) => [f.id, resolve(`../shared/golden/${f.dir}`)])));
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(server.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  demo?.kill();
  hub?.server.close();
});

/** Largest |a − b| over two nested number arrays of the same shape (∞ when the shapes differ). */
function maxDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return Infinity;
  return a.reduce((m: number, x, i) => Math.max(m, maxDiff(x, b[i])), 0);
}

describe('feature extraction in the browser equals Node', () => {
  for (const fam of FAMILIES) {
    it(`${fam.dir}: token states and mean-pooled embeddings within 1e-5`, async () => {
      const inPage = (await page.evaluate(`(async ([host, id, texts]) => {
        const wt = await import('/webtune.js');
        wt.env.remoteHost = host;
        const fx = await wt.pipeline('feature-extraction', id, { maxLength: 40 });
        const states = await fx(texts);
        const pooled = await fx(texts, { pooling: 'mean', normalize: true });
        fx.dispose();
        return { states, pooled };
      })(${JSON.stringify([hub.url, fam.id, TEXTS])})`)) as { states: number[][][]; pooled: number[][] };
      const node = await pipeline('feature-extraction', resolve(`../shared/golden/${fam.dir}`), { maxLength: 40 });
      const states = (await node(TEXTS)) as unknown as number[][][];
      const pooled = (await node(TEXTS, { pooling: 'mean', normalize: true })) as number[][];
      node.dispose();
      expect(inPage.states.map((s) => s.length)).toEqual(states.map((s) => s.length));
      const [dStates, dPooled] = [maxDiff(inPage.states, states), maxDiff(inPage.pooled, pooled)];
      console.log(
        `${fam.dir}: browser vs Node, token states max |Δ| ${dStates.toExponential(2)}, embeddings ${dPooled.toExponential(2)}`,
      );
      expect(dStates).toBeLessThan(1e-5);
      expect(dPooled).toBeLessThan(1e-5);
    }, 180_000);
  }
});
