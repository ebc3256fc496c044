// The browser bundles must carry nothing Node-only: no `webgpu` (Dawn), no `fs`, no `node:` module, and none of
// the Node-side source files. Checked twice: on the built text of dist/browser/*.js (what ships), and on
// esbuild's metafile of a fresh in-memory build (which names every input that went in).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const ENTRIES = { 'webtune.js': 'src/browser.ts', 'worker.js': 'src/web/worker.ts', 'demo.js': 'src/web/demo.ts' };
const NODE_ONLY = /^(node:|fs$|fs\/|path$|os$|url$|crypto$|child_process$|worker_threads$|module$|webgpu$)/;
// Source files that exist only for Node: the Dawn provider and the file-system sources/writers.
const NODE_SOURCES =
  /(^|\/)(node_modules\/webgpu\/|src\/runtime\/node_gpu\.ts|src\/io\/files_node\.ts|src\/.*_node\.ts|src\/index\.ts$)/;

/** Module specifiers a built ESM/CJS file still imports (static, dynamic or require). */
function importedSpecifiers(code: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']/g,
    /\bexport\s*(?:\*|\{[^}]*\})\s*from\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

beforeAll(() => {
  if (!existsSync('dist/browser/webtune.js'))
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
});

describe('browser bundles import nothing Node-only', () => {
  it('dist/browser/*.js import no webgpu, fs or node: module', () => {
    const files = readdirSync('dist/browser').filter((f) => f.endsWith('.js'));
    expect(files).toEqual(expect.arrayContaining(Object.keys(ENTRIES)));
    for (const f of files) {
      const code = readFileSync(`dist/browser/${f}`, 'utf8');
      const bad = importedSpecifiers(code).filter((s) => NODE_ONLY.test(s));
      expect(bad, `dist/browser/${f}`).toEqual([]);
      // The bundle is self-contained: whatever it still imports must be a URL, never a bare package name.
      expect(
        importedSpecifiers(code).filter((s) => !/^(\.|\/|https?:)/.test(s)),
        `dist/browser/${f}`,
      ).toEqual([]);
      expect(code).not.toMatch(/\bprocess\.env\b|\b__dirname\b|\bBuffer\.from\(/);
    }
  });

  it('the metafile of each entry lists no Node-only input and no external import', async () => {
    for (const [out, entry] of Object.entries(ENTRIES)) {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        loader: { '.wgsl': 'text' },
        target: 'es2022',
        write: false,
        metafile: true,
        outfile: `dist/browser/${out}`,
        logLevel: 'silent',
      });
      const meta: Metafile = result.metafile;
      const inputs = Object.keys(meta.inputs);
      expect(
        inputs.filter((i) => NODE_SOURCES.test(i)),
        entry,
      ).toEqual([]);
      const imports = Object.values(meta.inputs).flatMap((i) => i.imports.map((x) => x.path));
      expect(
        imports.filter((p) => NODE_ONLY.test(p)),
        entry,
      ).toEqual([]);
      const external = Object.values(meta.outputs).flatMap((o) =>
        o.imports.filter((x) => x.external).map((x) => x.path),
      );
      expect(external, entry).toEqual([]);
    }
  });

  it('the library bundle exposes the predictor', () => {
    const code = readFileSync('dist/browser/webtune.js', 'utf8');
    const exported = /export\s*\{([^}]*)\}\s*;?\s*(\/\/# sourceMappingURL=.*)?\s*$/.exec(code)?.[1] ?? '';
    const names = [
      'pipeline',
      'fileSourceFromPicked',
      'UrlFileSource',
      'MemoryFileSource',
      'DistilBertForSequenceClassification',
    ];
    for (const name of [...names, 'HubFileSource', 'env', 'zipFolder', 'pretrainedFiles', 'tokenizeDataset']) {
      expect(exported, name).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });
});
