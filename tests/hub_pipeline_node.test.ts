// pipeline() and fromPretrained() in Node given a Hub id, as HF transformers and transformers.js take one: the files
// come from a Hub-layout server on 127.0.0.1 (HF_ENDPOINT) into a fresh Hugging Face cache (HF_HUB_CACHE); the
// result must be HF's pipeline.json for golden/tiny-bert, a second load offline must read the cache alone, and a
// missing repo or an unknown local path must say what was looked for.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../src/index.js';
import { gpu } from './helpers/gpu.js';
import { compare, goldenPath, readGoldenJson, report } from './distilbert.helpers.js';

const ID = 'webtune-test/tiny-bert';
const COMMIT = 'c'.repeat(40);
const tmp = mkdtempSync(join(tmpdir(), 'webtune-hub-pipeline-'));
const saved = {
  endpoint: process.env.HF_ENDPOINT,
  cache: process.env.HF_HUB_CACHE,
  offline: process.env.HF_HUB_OFFLINE,
};
const requests: string[] = [];
let server: Server;

/** The golden directory as a Hub repo: HEAD answers with the commit and etag headers huggingface_hub reads. */
function startHub(): Promise<string> {
  const dir = goldenPath('tiny-bert');
  const files = new Set(readdirSync(dir));
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const m = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(req.url ?? '');
    if (!m || m[1] !== ID) return void res.writeHead(401, { 'X-Error-Code': 'RepositoryNotFound' }).end();
    const file = decodeURIComponent(m[3]!);
    if (!files.has(file))
      return void res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': COMMIT }).end();
    const body = readFileSync(join(dir, file));
    const etag = createHash('sha256').update(body).digest('hex');
    res.writeHead(200, {
      'Content-Length': body.length,
      ETag: `"${etag}"`,
      'X-Repo-Commit': COMMIT,
      'Content-Type': 'application/octet-stream',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  await gpu();
  process.env.HF_ENDPOINT = await startHub();
  process.env.HF_HUB_CACHE = join(tmp, 'hub-cache');
  delete process.env.HF_HUB_OFFLINE;
});
afterAll(() => {
  server?.close();
  for (const [key, value] of [
    ['HF_ENDPOINT', saved.endpoint],
    ['HF_HUB_CACHE', saved.cache],
    ['HF_HUB_OFFLINE', saved.offline],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('Node: a Hub id as the model', () => {
  it("pipeline('text-classification', id) downloads into the HF cache, reports progress, and gives HF's pipeline.json", async () => {
    const golden = readGoldenJson('tiny-bert/pipeline.json');
    const events: wt.ProgressInfo[] = [];
    const classify = await wt.pipeline('text-classification', ID, { progressCallback: (e) => events.push(e) });
    const got = await classify(golden.texts as string[], { topK: null });
    const rows = golden.outputs.map((want: wt.LabelScore[], i: number) => {
      expect(
        got[i]!.map((s) => s.label),
        `text ${i}`,
      ).toEqual(want.map((s) => s.label));
      return compare(
        `text ${i}`,
        got[i]!.map((s) => s.score),
        want.map((s) => s.score),
        1e-5,
      );
    });
    expect(report('tiny-bert by Hub id', rows)).toEqual([]);
    classify.dispose();
    // The weights came over the network: download, progress up to their size, done.
    const weights = events.filter((e) => 'file' in e && e.file === 'model.safetensors').map((e) => e.status);
    expect(weights).toContain('download');
    expect(weights).toContain('progress');
    expect(weights.at(-1)).toBe('done');
    expect(
      requests.filter((r) => r.startsWith('GET ') && r.endsWith('/model.safetensors')),
      requests.join('\n'),
    ).toHaveLength(1);
    // huggingface_hub's cache layout: blobs, refs/main, snapshots/<commit>.
    const repoDir = join(process.env.HF_HUB_CACHE!, 'models--webtune-test--tiny-bert');
    expect(readFileSync(join(repoDir, 'refs', 'main'), 'utf8').trim()).toBe(COMMIT);
    expect(readdirSync(join(repoDir, 'snapshots', COMMIT))).toContain('model.safetensors');
  });

  it('a second load with HF_HUB_OFFLINE=1 reads the cache alone: no request', async () => {
    process.env.HF_HUB_OFFLINE = '1';
    const before = requests.length;
    try {
      const model = await wt.AutoModelForSequenceClassification.fromPretrained(ID);
      expect(model.className).toBe('BertForSequenceClassification');
      model.dispose();
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
    expect(requests.slice(before)).toEqual([]);
  });

  it('a repo the Hub does not have, and a path that is neither local nor cached offline, name what was looked for', async () => {
    await expect(wt.pipeline('text-classification', 'nobody/nothing')).rejects.toThrow(/nobody\/nothing/);
    process.env.HF_HUB_OFFLINE = '1';
    try {
      await expect(wt.AutoModelForSequenceClassification.fromPretrained('no-such/local-dir')).rejects.toThrow(
        /no-such\/local-dir.*offline mode is on.*pass the path of a local directory/s,
      );
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
  });
});
