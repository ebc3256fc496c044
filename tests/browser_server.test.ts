// dist/demo-server.js on its own: what it serves, and what it refuses (paths outside its folders, other methods).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODEL = '../shared/golden/small-distilbert-realvocab';
const servers: ChildProcess[] = [];

function start(args: string[]): Promise<string> {
  const server = spawn(process.execPath, ['dist/demo-server.js', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.stdout!.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(String(d));
      if (m) resolve(m[0]);
    });
    server.on('exit', (code) => reject(new Error(`demo server exited with ${code}`)));
  });
}

/** Raw request (no URL normalisation, so "..%2f" reaches the server as sent). */
function get(
  base: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(() => {
  if (!existsSync('dist/demo-server.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
});
afterAll(() => servers.forEach((s) => s.kill()));

describe('demo server', () => {
  it('serves the page, the bundles and the model directory under /model/', async () => {
    const base = await start(['--model', MODEL]);
    const page = await get(base, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<script type="module" src="demo.js">');
    for (const f of ['/demo.js', '/worker.js', '/webtune.js', '/demo.css'])
      expect((await get(base, f)).status, f).toBe(200);
    expect(JSON.parse((await get(base, '/demo-config.json')).body)).toEqual({ modelUrl: '/model/' });
    const head = await get(base, '/model/model.safetensors', 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(statSync(`${MODEL}/model.safetensors`).size);
    expect((await get(base, '/model/tokenizer.json', 'HEAD')).status).toBe(404);
  });

  it('never serves files outside its folders, and only GET/HEAD', async () => {
    const base = await start(['--model', MODEL]);
    for (const path of [
      '/demo.ts',
      '/worker.ts',
      '/model/..%2f..%2f..%2fetc%2fpasswd',
      '/model/../e2e.json',
      '/..%2fpackage.json',
      '/%2e%2e/package.json',
      '/model/%zz',
    ]) {
      expect((await get(base, path)).status, path).toBe(404);
    }
    expect((await get(base, '/model/config.json', 'POST')).status).toBe(405);
  });

  it('without --model the page is told to ask for files; bad flags exit 2', async () => {
    const base = await start([]);
    expect(JSON.parse((await get(base, '/demo-config.json')).body)).toEqual({ modelUrl: null });
    expect((await get(base, '/model/config.json')).status).toBe(404);
    const bad = spawn(process.execPath, ['dist/demo-server.js', '--model', '/nonexistent']);
    let stderr = '';
    bad.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => bad.on('exit', r));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--model \/nonexistent: no such directory/);
  });
});
