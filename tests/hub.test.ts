// Hub resolution against a fake HF cache in a temp dir and a fake Hub on 127.0.0.1 (no real network).
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  HubHttpError,
  HubIntegrityError,
  HubUnavailableError,
  defaultCacheDir,
  env as hubEnv,
  hubFileUrl,
  isHubId,
  resolveDatasetFiles,
  resolveModelDir,
  type HubProgress,
} from '../src/io/hub.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const COMMIT = 'a'.repeat(40);
const COMMIT2 = 'b'.repeat(40);
const ID = 'distilbert/distilbert-base-uncased';

const tmp = mkdtempSync(join(tmpdir(), 'webtune-hub-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let caseNo = 0;
const freshCache = (): string => join(tmp, `cache${++caseNo}`);

// ---------------- a fake Hub ----------------
interface RepoFile {
  body: Buffer;
  lfs: boolean;
}
interface Logged {
  method: string;
  url: string;
  range?: string;
}
const repos = new Map<string, { commit: string; files: Map<string, RepoFile> }>();
const log: Logged[] = [];
const behaviour = { corrupt: new Set<string>(), dropOnce: new Set<string>(), status: undefined as number | undefined };
let server: Server;
let endpoint = '';

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  log.push({ method: req.method ?? '', url, range: req.headers.range });
  if (behaviour.status) return void res.writeHead(behaviour.status).end();
  const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url);
  if (cdn) return serveCdn(cdn[1]!, req, res);
  const m = /^\/(datasets\/)?(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url);
  if (!m) return void res.writeHead(404).end();
  const [, ds, id, rev, file] = m as unknown as [string, string | undefined, string, string, string];
  if (id === 'distilbert-base-uncased') {
    // The Hub's answer to a legacy id: a relative redirect to the org-qualified repo.
    return void res.writeHead(307, { Location: `/distilbert/distilbert-base-uncased/resolve/${rev}/${file}` }).end();
  }
  const repo = repos.get(`${ds ? 'dataset' : 'model'}:${id}`);
  if (!repo) return void res.writeHead(401, { 'X-Error-Code': 'RepositoryNotFound' }).end();
  if (rev !== 'main' && rev !== repo.commit)
    return void res.writeHead(404, { 'X-Error-Code': 'RevisionNotFound' }).end();
  const f = repo.files.get(decodeURIComponent(file));
  if (!f) return void res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': repo.commit }).end();
  if (f.lfs) {
    const h = sha256(f.body);
    return void res
      .writeHead(302, {
        Location: `${endpoint}/cdn/${h}`,
        'X-Linked-Etag': `"${h}"`,
        'X-Linked-Size': `${f.body.length}`,
        'X-Repo-Commit': repo.commit,
        ETag: `"${gitSha1(Buffer.from('pointer'))}"`,
      })
      .end();
  }
  res.writeHead(200, {
    ETag: `"${gitSha1(f.body)}"`,
    'X-Repo-Commit': repo.commit,
    'Content-Length': `${f.body.length}`,
  });
  res.end(req.method === 'HEAD' ? undefined : f.body);
}

function serveCdn(hash: string, req: IncomingMessage, res: ServerResponse): void {
  let body: Buffer | undefined;
  for (const r of repos.values()) for (const f of r.files.values()) if (sha256(f.body) === hash) body = f.body;
  if (!body) return void res.writeHead(404).end();
  if (behaviour.corrupt.has(hash)) body = Buffer.from(body.map((b) => b ^ 1));
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const part = body.subarray(start);
  const headers: Record<string, string> = { 'Content-Length': `${part.length}`, 'Accept-Ranges': 'bytes' };
  if (range) headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD') return void res.end();
  if (behaviour.dropOnce.delete(hash)) {
    // Send half, then cut the connection: the client must resume with a Range request.
    res.write(part.subarray(0, Math.floor(part.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(part);
}

const weights = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 251));
function publishModel(id: string, files: Record<string, RepoFile>, commit = COMMIT): void {
  repos.set(`model:${id}`, { commit, files: new Map(Object.entries(files)) });
}
const text = (s: string): RepoFile => ({ body: Buffer.from(s), lfs: false });

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  repos.clear();
  log.length = 0;
  behaviour.corrupt.clear();
  behaviour.dropOnce.clear();
  behaviour.status = undefined;
  publishModel(ID, {
    'config.json': text('{"model_type": "distilbert"}'),
    'model.safetensors': { body: Buffer.from(weights), lfs: true },
    'vocab.txt': text('[PAD]\n[UNK]\n'),
    'tokenizer_config.json': text('{}'),
  });
});

// ---------------- a cache laid out the way Python's huggingface_hub writes it ----------------
function pythonCache(cache: string, repoFolder: string, files: Record<string, string>, commit = COMMIT): string {
  const root = join(cache, repoFolder);
  mkdirSync(join(root, 'refs'), { recursive: true });
  writeFileSync(join(root, 'refs', 'main'), commit);
  for (const [name, content] of Object.entries(files)) {
    const etag = gitSha1(Buffer.from(content));
    mkdirSync(join(root, 'blobs'), { recursive: true });
    writeFileSync(join(root, 'blobs', etag), content);
    const dest = join(root, 'snapshots', commit, name);
    mkdirSync(join(dest, '..'), { recursive: true });
    symlinkSync(
      join(
        '..',
        '..',
        ...name
          .split('/')
          .slice(1)
          .map(() => '..'),
        'blobs',
        etag,
      ),
      dest,
    );
  }
  return join(root, 'snapshots', commit);
}

describe('local paths and the cache (offline)', () => {
  test('an existing local directory is used as is, without touching the cache or network', async () => {
    const dir = join(tmp, 'local-model');
    mkdirSync(dir, { recursive: true });
    expect(await resolveModelDir(dir, { offline: false, endpoint })).toBe(dir);
    expect(log).toEqual([]);
  });

  test('reuses a Python-downloaded snapshot: refs/main → snapshots/<commit>', async () => {
    const cache = freshCache();
    const snap = pythonCache(cache, 'models--distilbert--distilbert-base-uncased', {
      'config.json': '{}',
      'model.safetensors': 'weights',
      'vocab.txt': 'v',
    });
    const env = { HF_HUB_OFFLINE: '1', HF_HUB_CACHE: cache, HF_ENDPOINT: endpoint };
    expect(await resolveModelDir(ID, { env })).toBe(snap);
    // The legacy id finds the same snapshot through its alias.
    expect(await resolveModelDir('distilbert-base-uncased', { env })).toBe(snap);
    expect(readFileSync(join(snap, 'config.json'), 'utf8')).toBe('{}');
    expect(log).toEqual([]);
  });

  test('HF_HOME/hub is the cache when HF_HUB_CACHE is unset; a commit revision needs no ref', async () => {
    const home = join(tmp, 'hf-home');
    const snap = pythonCache(
      join(home, 'hub'),
      'models--org--m',
      { 'config.json': '{}', 'model.safetensors': 'w' },
      COMMIT2,
    );
    expect(defaultCacheDir({ HF_HOME: home })).toBe(join(home, 'hub'));
    expect(await resolveModelDir('org/m', { env: { HF_HOME: home }, offline: true })).toBe(snap);
    rmSync(join(home, 'hub', 'models--org--m', 'refs'), { recursive: true });
    expect(await resolveModelDir('org/m', { env: { HF_HOME: home }, offline: true, revision: COMMIT2 })).toBe(snap);
  });

  test('sharded weights offline: index.json and every shard it names', async () => {
    const cache = freshCache();
    const index = JSON.stringify({
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
    });
    pythonCache(cache, 'models--org--big', {
      'config.json': '{}',
      'model.safetensors.index.json': index,
      'model-00001-of-00002.safetensors': 'x',
    });
    const err = (await resolveModelDir('org/big', { cacheDir: cache, offline: true }).catch(
      (e) => e,
    )) as HubUnavailableError;
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err.lookedFor).toEqual(['model-00002-of-00002.safetensors']);
  });

  test('offline and missing: HubUnavailableError with id, files and where, as one paragraph; no request made', async () => {
    const cache = freshCache();
    const err = (await resolveModelDir(ID, {
      cacheDir: cache,
      env: { HF_HUB_OFFLINE: '1', HF_ENDPOINT: endpoint },
    }).catch((e) => e)) as HubUnavailableError;
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err.id).toBe(ID);
    expect(err.lookedFor).toEqual(['config.json', 'model.safetensors']);
    expect(err.where[0]).toContain(join(cache, 'models--distilbert--distilbert-base-uncased'));
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(
      /^Cannot load model "distilbert\/distilbert-base-uncased": offline mode is on .* config\.json, model\.safetensors are not in the Hugging Face cache/,
    );
    expect(log).toEqual([]);
    await expect(resolveDatasetFiles('imdb', { cacheDir: cache, offline: true })).rejects.toThrow(
      /Cannot load dataset "imdb": .*plain_text\/train-00000-of-00001\.parquet, plain_text\/test-00000-of-00001\.parquet are not/,
    );
  });

  test('not a path and not an id', async () => {
    await expect(resolveModelDir('./no/such/dir', { offline: true })).rejects.toThrow(
      /neither an existing path nor a Hugging Face Hub id/,
    );
  });
});

describe('downloads from the Hub (a local fake)', () => {
  test('HEAD then GET; blobs + snapshot symlinks + refs/main; optional 404s tolerated and remembered', async () => {
    const cache = freshCache();
    const progress: HubProgress[] = [];
    const dir = await resolveModelDir(ID, { cacheDir: cache, endpoint, onProgress: (p) => progress.push(p) });
    const root = join(cache, 'models--distilbert--distilbert-base-uncased');
    expect(dir).toBe(join(root, 'snapshots', COMMIT));
    expect(readFileSync(join(root, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(weights);
    expect(lstatSync(join(dir, 'model.safetensors')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'model.safetensors'))).toBe(join('..', '..', 'blobs', sha256(weights)));
    expect(readlinkSync(join(dir, 'config.json'))).toBe(
      join('..', '..', 'blobs', gitSha1(Buffer.from('{"model_type": "distilbert"}'))),
    );
    expect(existsSync(join(dir, 'tokenizer.json'))).toBe(false);
    expect(existsSync(join(root, '.no_exist', COMMIT, 'tokenizer.json'))).toBe(true);
    const last = progress.filter((p) => p.file === 'model.safetensors').at(-1)!;
    expect([last.loaded, last.total]).toEqual([weights.length, weights.length]);
    // The first HEAD pins the commit; the later requests ask for that commit, not "main".
    expect(log.filter((l) => l.method === 'HEAD').map((l) => l.url)).toContain(`/${ID}/resolve/${COMMIT}/vocab.txt`);

    log.length = 0;
    expect(await resolveModelDir(ID, { cacheDir: cache, endpoint })).toBe(dir);
    expect(log.filter((l) => l.method === 'GET')).toEqual([]); // everything came from the cache
    expect(log.some((l) => l.url.endsWith('/tokenizer.json'))).toBe(false); // .no_exist remembered
  });

  test('a legacy id follows the Hub redirect and is cached under the id as given (like Python)', async () => {
    const cache = freshCache();
    const dir = await resolveModelDir('distilbert-base-uncased', { cacheDir: cache, endpoint });
    expect(dir).toBe(join(cache, 'models--distilbert-base-uncased', 'snapshots', COMMIT));
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"model_type": "distilbert"}');
  });

  test('sharded weights: model.safetensors 404 → index.json and its shards', async () => {
    const index = JSON.stringify({ weight_map: { a: 's-1.safetensors', b: 's-2.safetensors', c: 's-1.safetensors' } });
    publishModel('org/sharded', {
      'config.json': text('{}'),
      'model.safetensors.index.json': text(index),
      's-1.safetensors': { body: Buffer.from('one'), lfs: true },
      's-2.safetensors': { body: Buffer.from('two'), lfs: true },
    });
    const dir = await resolveModelDir('org/sharded', { cacheDir: freshCache(), endpoint });
    expect(readFileSync(join(dir, 's-2.safetensors'), 'utf8')).toBe('two');
  });

  test('resumes a partial download left by an earlier run (.incomplete + Range)', async () => {
    const cache = freshCache();
    const blobs = join(cache, 'models--distilbert--distilbert-base-uncased', 'blobs');
    mkdirSync(blobs, { recursive: true });
    writeFileSync(join(blobs, `${sha256(weights)}.incomplete`), weights.subarray(0, 20_000));
    const dir = await resolveModelDir(ID, { cacheDir: cache, endpoint });
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(weights);
    expect(log.find((l) => l.url.startsWith('/cdn/') && l.method === 'GET')?.range).toBe('bytes=20000-');
    expect(existsSync(join(blobs, `${sha256(weights)}.incomplete`))).toBe(false);
  });

  test('resumes after the connection drops mid-file', async () => {
    behaviour.dropOnce.add(sha256(weights));
    const dir = await resolveModelDir(ID, { cacheDir: freshCache(), endpoint });
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(weights);
    const gets = log.filter((l) => l.url.startsWith('/cdn/') && l.method === 'GET');
    expect(gets.length).toBe(2);
    expect(gets[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  test('sha256 mismatch: HubIntegrityError, nothing left in blobs', async () => {
    behaviour.corrupt.add(sha256(weights));
    const cache = freshCache();
    const err = await resolveModelDir(ID, { cacheDir: cache, endpoint }).catch((e) => e);
    expect(err).toBeInstanceOf(HubIntegrityError);
    expect((err as Error).message).toMatch(/content hash sha256 [0-9a-f]{64} does not match the expected sha256/);
    const blobs = join(cache, 'models--distilbert--distilbert-base-uncased', 'blobs');
    expect(existsSync(join(blobs, sha256(weights)))).toBe(false);
    expect(existsSync(join(blobs, `${sha256(weights)}.incomplete`))).toBe(false);
  });

  test('a missing required file online is a 404 HubHttpError; an unknown repo a 401', async () => {
    publishModel('org/noweights', { 'config.json': text('{}') });
    const err = (await resolveModelDir('org/noweights', { cacheDir: freshCache(), endpoint }).catch(
      (e) => e,
    )) as HubHttpError;
    expect(err).toBeInstanceOf(HubHttpError);
    expect(err.status).toBe(404);
    await expect(resolveModelDir('org/nothing', { cacheDir: freshCache(), endpoint })).rejects.toThrow(
      /HTTP 401 \(no such repository/,
    );
  });

  test('no network: falls back to the cache, else HubUnavailableError naming the failure', async () => {
    // A port that was just free: connection refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((r) => probe.close(() => r()));
    const cache = freshCache();
    const snap = pythonCache(cache, 'models--distilbert--distilbert-base-uncased', {
      'config.json': '{}',
      'model.safetensors': 'w',
    });
    expect(await resolveModelDir(ID, { cacheDir: cache, endpoint: dead })).toBe(snap);
    const err = (await resolveModelDir(ID, { cacheDir: freshCache(), endpoint: dead }).catch(
      (e) => e,
    )) as HubUnavailableError;
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err.reason).toMatch(/the Hub could not be reached \(ECONNREFUSED\)/);
  });

  test('datasets: /datasets/<id>/resolve/… into datasets--<id>', async () => {
    repos.set('dataset:imdb', {
      commit: COMMIT2,
      files: new Map([
        ['plain_text/train-00000-of-00001.parquet', { body: Buffer.from('train bytes'), lfs: true }],
        ['plain_text/test-00000-of-00001.parquet', { body: Buffer.from('test bytes'), lfs: true }],
      ]),
    });
    const cache = freshCache();
    const got = await resolveDatasetFiles('imdb', { cacheDir: cache, endpoint });
    const snap = join(cache, 'datasets--imdb', 'snapshots', COMMIT2);
    expect(got).toEqual({
      dir: snap,
      files: [
        join(snap, 'plain_text/train-00000-of-00001.parquet'),
        join(snap, 'plain_text/test-00000-of-00001.parquet'),
      ],
    });
    expect(readFileSync(got.files[1]!, 'utf8')).toBe('test bytes');
    expect(readlinkSync(got.files[0]!)).toBe(join('..', '..', '..', 'blobs', sha256(Buffer.from('train bytes'))));
    expect(log[0]!.url).toBe('/datasets/imdb/resolve/main/plain_text/train-00000-of-00001.parquet');
    await expect(resolveDatasetFiles('org/unknown', { cacheDir: cache, endpoint })).rejects.toThrow(
      /no default file list/,
    );
  });
});

describe('Hub addressing shared with the browser (hub_url.ts)', () => {
  test('hubFileUrl: host + {model}/resolve/{revision}/ + file, path parts escaped, datasets under datasets/', () => {
    expect(hubFileUrl({ host: 'https://huggingface.co/' }, 'user/m', 'main', 'onnx/model.onnx')).toBe(
      'https://huggingface.co/user/m/resolve/main/onnx/model.onnx',
    );
    expect(hubFileUrl({ host: 'http://h:1' }, 'm', 'refs/pr/1', 'a b.json')).toBe(
      'http://h:1/m/resolve/refs%2Fpr%2F1/a%20b.json',
    );
    expect(hubFileUrl({ host: 'http://h/', type: 'dataset' }, 'imdb', 'main', 'x.parquet')).toBe(
      'http://h/datasets/imdb/resolve/main/x.parquet',
    );
    expect(
      hubFileUrl({ host: 'http://mirror/', pathTemplate: 'models/{model}/{revision}' }, 'u/m', 'v1', 'config.json'),
    ).toBe('http://mirror/models/u/m/v1/config.json');
  });

  test('isHubId: "user/model" and legacy "model" are ids; paths, URLs and odd names are not', () => {
    for (const id of ['user/model', 'distilbert-base-uncased', 'Org.Name/m_1.2']) expect(isHubId(id), id).toBe(true);
    for (const s of ['/model/', './m', 'm/', 'https://x/m', 'a/b/c', 'a/../b', 'a--b', '', '-m'])
      expect(isHubId(s), s).toBe(false);
  });

  test('Node downloads from env.remoteHost when neither the endpoint option nor HF_ENDPOINT is set', async () => {
    const saved = hubEnv.remoteHost;
    hubEnv.remoteHost = `${endpoint}/`;
    try {
      const dir = await resolveModelDir(ID, { cacheDir: freshCache(), env: {} });
      expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(weights);
      expect(log.some((l) => l.url === `/${ID}/resolve/main/config.json`)).toBe(true);
    } finally {
      hubEnv.remoteHost = saved;
    }
  });
});
