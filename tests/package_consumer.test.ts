// The package as a user gets it: `npm pack` on a copy of the working tree (no dist/: prepack builds it), the tarball
// installed into a scratch project (npm registry or its cache), the README's library API in TypeScript
// (tests/fixtures/consumer) typechecked by tsc against the shipped declarations, run in Node on this machine's
// adapter, bundled by esbuild for browsers and run in headless Chromium. Both give HF's pipeline output (golden).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { buildSync } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium.js';
import { copyWorkingTree, repoRoot } from './helpers/working_tree.js';

const MODEL = join(repoRoot, '../shared/golden/small-distilbert-realvocab');
const golden = JSON.parse(readFileSync(join(MODEL, 'pipeline.json'), 'utf8'));
const TEXT: string = golden.texts[0];
const WANT: { label: string; score: number } = golden.default[0];
const TYPES_NODE = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8'))
  .version as string;

interface ExampleResult {
  pipeline: { label: string; score: number }[];
  logits: number[];
  id2label: Record<number, string>;
}

let scratch: string;
let project: string;
let packed: { name: string; files: { path: string }[] };

/** Runs a command, failing with its output (npm's and tsc's messages are the diagnosis). */
function run(file: string, args: string[], cwd: string, timeout = 300_000): string {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  }
}

/** The example's answer is HF's pipeline output, and the hand-made logits give the same label and score. */
function expectGolden(r: ExampleResult): void {
  expect(r.pipeline).toHaveLength(1);
  expect(r.pipeline[0]!.label).toBe(WANT.label);
  expect(Math.abs(r.pipeline[0]!.score - WANT.score)).toBeLessThan(1e-5);
  const [a, b] = r.logits as [number, number];
  const top = a > b ? 0 : 1;
  expect(r.id2label[top]).toBe(WANT.label);
  expect(Math.abs(1 / (1 + Math.exp(-Math.abs(a - b))) - WANT.score)).toBeLessThan(1e-5);
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'webtune-package-'));
  // A clone has no dist/: `npm pack` must build it (prepack). Dependencies come from this checkout.
  const clone = join(scratch, 'webtune');
  copyWorkingTree(clone);
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
  [packed] = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', scratch], clone, 400_000).replace(/^[^[]*/, ''),
  );

  project = join(scratch, 'consumer');
  mkdirSync(join(project, 'src'), { recursive: true });
  for (const f of readdirSync(join(repoRoot, 'tests/fixtures/consumer'))) {
    cpSync(join(repoRoot, 'tests/fixtures/consumer', f), join(project, f.endsWith('.ts') ? `src/${f}` : f));
  }
  // As the README says for Linux: webgpu's install script (macOS only) is denied.
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', allowScripts: { webgpu: false } }),
  );
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, packed.name), `@types/node@${TYPES_NODE}`],
    project,
  );
}, 900_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true }); // the consumer's node_modules is ~140 MB (webgpu)
});

describe('npm pack → install → tsc → Node and the browser', () => {
  it('the tarball holds the built library, the browser bundle and the types, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of [
      'dist/index.js',
      'dist/browser/webtune.js',
      'dist/types/index.d.ts',
      'dist/types/browser.d.ts',
      'package.json',
      'README.md',
    ]) {
      expect(paths, p).toContain(p);
    }
    const unexpected = paths.filter(
      (p) => !/^(dist\/index\.js|dist\/browser\/webtune\.js|dist\/types\/.*\.d\.ts|package\.json|README\.md)$/.test(p),
    );
    expect(unexpected, 'sources, tests, CLIs, benches, demo page or source maps in the tarball').toEqual([]);
    expect(paths.filter((p) => /^dist\/types\/(cli|demo|web)\//.test(p))).toEqual([]);
    const installed = join(project, 'node_modules/webtune');
    expect(statSync(join(installed, 'dist/index.js')).isFile()).toBe(true);
  });

  it('tsc typechecks the example against the shipped declarations (skipLibCheck off)', () => {
    run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    expect(existsSync(join(project, 'out/node-main.js'))).toBe(true);
  }, 300_000);

  it('runs in Node: the pipeline and the logits by hand agree with HF', () => {
    const out = run(process.execPath, ['out/node-main.js', MODEL, TEXT], project, 120_000);
    expectGolden(JSON.parse(out.trim().split('\n').pop()!) as ExampleResult);
  }, 120_000);

  describe('bundled by esbuild for the browser, in Chromium', () => {
    let server: Server;
    let browser: Browser;
    let base: string;
    beforeAll(async () => {
      const bundle = join(project, 'www/bundle.js');
      buildSync({
        entryPoints: [join(project, 'src/browser-main.ts')],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        outfile: bundle,
        absWorkingDir: project,
        logLevel: 'error',
      });
      writeFileSync(
        join(project, 'www/index.html'),
        '<!doctype html><meta charset="utf-8"><script type="module" src="bundle.js"></script>',
      );
      server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
        const file = path.startsWith('/model/')
          ? join(MODEL, path.slice(7))
          : join(project, 'www', path === '/' ? 'index.html' : path);
        if (path.includes('..') || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
        const type =
          { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' }[extname(file)] ??
          'application/octet-stream';
        res.writeHead(200, { 'content-type': type, 'content-length': statSync(file).size });
        if (req.method === 'HEAD') return void res.end();
        createReadStream(file).pipe(res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      server?.close();
    });

    it('the bundle is the browser build (no Node built-ins, no Dawn)', () => {
      const code = readFileSync(join(project, 'www/bundle.js'), 'utf8');
      expect(code).not.toMatch(/from\s*["'](node:|fs["']|webgpu["'])/);
      expect(code).toContain('navigator.gpu');
    });

    it('runs in the page: the same answers as HF', async () => {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${base}?text=${encodeURIComponent(TEXT)}`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, {
        timeout: 100_000,
      });
      const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
      expect(result, logs.join('\n')).not.toHaveProperty('error');
      expectGolden(result as ExampleResult);
      await page.close();
    }, 120_000);
  });
});
