// The README's two quick-start commands on a clean copy of the repository (no node_modules, no dist): the
// README really says them, scripts/setup.sh (their shared first half) installs, builds and is idempotent, and
// their second halves start: the CLIs answer --help and a short demo run trains on the WebGPU adapter.
// (The full `node dist/train.js` fallback is tests/demo.test.ts; `npm test` is this suite, not run recursively.)
// Needs the npm registry (npm ci) and, when no adapter is present, root for apt: as on a fresh machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const QUICK_START = ['bash scripts/setup.sh && node dist/train.js', 'bash scripts/setup.sh && npm test'];

/** The files a clone of the working tree would have: tracked and untracked-but-not-ignored (uncommitted work included). */
function copyWorkingTree(to: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' });
  for (const rel of new Set(listed.split('\0').filter(Boolean))) {
    const from = join(repoRoot, rel);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(from, join(to, rel));
  }
}

function sh(command: string, cwd: string, timeout: number) {
  const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', timeout });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
}

describe('README quick start on a clean clone', () => {
  it('the README gives exactly the two commands', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start'));
    expect(section, 'README.md has a "## Quick start" section').toBeDefined();
    const block = /```(?:sh|bash)\n([\s\S]*?)```/.exec(section!)?.[1] ?? '';
    const commands = block.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(commands).toEqual(QUICK_START);
  });

  it('scripts/setup.sh installs and builds from nothing, is idempotent, and the CLIs run', () => {
    const clone = join(mkdtempSync(join(tmpdir(), 'webtune-quickstart-')), 'webtune');
    copyWorkingTree(clone);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    expect(existsSync(join(clone, 'dist'))).toBe(false);

    const first = sh('bash scripts/setup.sh', clone, 400_000);
    expect(first.status, first.out).toBe(0);
    expect(first.out).toContain('setup: installing npm dependencies');
    expect(first.out).toContain('setup: building');
    expect(first.out).toContain('setup: ready');
    for (const f of ['dist/train.js', 'dist/predict.js', 'dist/index.js', 'dist/browser/webtune.js']) expect(existsSync(join(clone, f)), f).toBe(true);

    // Again: nothing left to do.
    const again = sh('bash scripts/setup.sh', clone, 120_000);
    expect(again.status, again.out).toBe(0);
    expect(again.out).not.toContain('setup: installing');
    expect(again.out).not.toContain('setup: building');
    expect(again.out).toContain('setup: ready');

    for (const cli of ['dist/train.js', 'dist/predict.js']) {
      const help = sh(`node ${cli} --help`, clone, 60_000);
      expect(help.status, help.out).toBe(0);
      expect(help.stdout).toContain(`node ${cli}`);
    }
    // The fresh build trains on this machine's adapter (a few steps of the built-in demo, outside the clone).
    const out = join(dirname(clone), 'demo-model');
    const demo = sh(`node dist/train.js --demo --max-steps 3 --eval-strategy no --save-strategy no --load-best-model-at-end false --output-dir ${out}`, clone, 300_000);
    expect(demo.status, demo.out).toBe(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(demo.stdout).toContain(`node dist/predict.js --model ${out}`);
  }, 900_000);
});
