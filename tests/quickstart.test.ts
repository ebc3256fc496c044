// The README's two quick-start commands on a clean copy of the repository (no node_modules, no dist): the
// README really says them, scripts/setup.sh (their shared first half) installs, builds and is idempotent, and
// their second halves start: the CLIs answer --help and a short demo run trains on the WebGPU adapter.
// (The full `node dist/train.js` fallback is tests/demo.test.ts; `npm test` is this suite, not run recursively.)
// Needs the npm registry (npm ci) and, when no adapter is present, root for apt: as on a fresh machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyWorkingTree, repoRoot } from './helpers/working_tree.js';

const QUICK_START = ['bash scripts/setup.sh && node dist/train.js', 'bash scripts/setup.sh && npm test'];

function sh(command: string, cwd: string, timeout: number, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', timeout, env });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
}

const isRoot = process.getuid?.() === 0;
let setUpClone: string | undefined; // the clone the first test set up, for the next
const scratchDirs: string[] = [];
afterAll(() => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true }))); // a clone is ~1 GB with node_modules

describe('README quick start on a clean clone', () => {
  it('the README gives exactly the two commands', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start'));
    expect(section, 'README.md has a "## Quick start" section').toBeDefined();
    const block = /```(?:sh|bash)\n([\s\S]*?)```/.exec(section!)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(commands).toEqual(QUICK_START);
  });

  it('scripts/setup.sh installs and builds from nothing, is idempotent, and the CLIs run', () => {
    const clone = join(mkdtempSync(join(tmpdir(), 'webtune-quickstart-')), 'webtune');
    scratchDirs.push(dirname(clone));
    copyWorkingTree(clone);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    expect(existsSync(join(clone, 'dist'))).toBe(false);

    const first = sh('bash scripts/setup.sh', clone, 400_000);
    expect(first.status, first.out).toBe(0);
    expect(first.out).toContain('setup: installing npm dependencies');
    expect(first.out).toContain('setup: building');
    expect(first.out).toContain('setup: ready');
    for (const f of ['dist/train.js', 'dist/predict.js', 'dist/index.js', 'dist/browser/webtune.js'])
      expect(existsSync(join(clone, f)), f).toBe(true);

    // Again: nothing left to do.
    const again = sh('bash scripts/setup.sh', clone, 120_000);
    expect(again.status, again.out).toBe(0);
    expect(again.out).not.toContain('setup: installing');
    expect(again.out).not.toContain('setup: building');
    expect(again.out).toContain('setup: ready');
    // The browser the tests use is there already (setup installed it in CI): nothing to install.
    expect(`${first.out}${again.out}`).not.toContain('installing chromium');
    setUpClone = clone;

    for (const cli of ['dist/train.js', 'dist/predict.js']) {
      const help = sh(`node ${cli} --help`, clone, 60_000);
      expect(help.status, help.out).toBe(0);
      expect(help.stdout).toContain(`node ${cli}`);
    }
    // The fresh build trains on this machine's adapter (a few steps of the built-in demo, outside the clone).
    const out = join(dirname(clone), 'demo-model');
    const demo = sh(
      `node dist/train.js --demo --max-steps 3 --eval-strategy no --save-strategy no --load-best-model-at-end false --output-dir ${out}`,
      clone,
      300_000,
    );
    expect(demo.status, demo.out).toBe(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(demo.stdout).toContain(`node dist/predict.js --model ${out}`);
  }, 900_000);

  // Against a stubbed apt-get on PATH that records its arguments and "installs" a stub browser at CHROMIUM_PATH. As
  // root, setup calls apt-get directly; through sudo, PATH would be reset to the real one.
  it.skipIf(!isRoot)(
    "setup installs Chromium from the distribution only when the tests' path has none (not with --no-browser)",
    () => {
      expect(setUpClone, 'the previous test set up a clone').toBeDefined();
      const scratch = mkdtempSync(join(tmpdir(), 'webtune-chromium-'));
      scratchDirs.push(scratch);
      const bin = join(scratch, 'bin');
      mkdirSync(bin);
      writeFileSync(
        join(bin, 'apt-get'),
        '#!/bin/sh\necho "$*" >> "$APT_LOG"\n[ -n "$APT_FAIL" ] && exit 100\ncase "$*" in *install*chromium*) printf \'#!/bin/sh\\n\' > "$CHROMIUM_PATH"; chmod +x "$CHROMIUM_PATH";; esac\n',
      );
      chmodSync(join(bin, 'apt-get'), 0o755);
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        CHROMIUM_PATH: join(scratch, 'chromium'),
        APT_LOG: join(scratch, 'apt.log'),
      };
      const noBrowser = sh('bash scripts/setup.sh --no-browser', setUpClone!, 120_000, env);
      expect(noBrowser.status, noBrowser.out).toBe(0);
      expect(existsSync(env.APT_LOG), 'setup --no-browser ran apt-get').toBe(false);
      // apt cannot install it (no network, say): a warning, and the set-up for training still succeeds.
      const failing = sh('bash scripts/setup.sh', setUpClone!, 120_000, {
        ...env,
        APT_FAIL: '1',
        APT_LOG: join(scratch, 'apt-fail.log'),
      });
      expect(failing.status, failing.out).toBe(0);
      expect(failing.out).toContain(
        `setup: WARNING: no Chromium at ${env.CHROMIUM_PATH}: the browser tests (npm test) will fail`,
      );
      expect(failing.out).toContain('setup: ready');
      const install = sh('bash scripts/setup.sh', setUpClone!, 120_000, env);
      expect(install.status, install.out).toBe(0);
      expect(install.out).toContain(
        `setup: no Chromium at ${env.CHROMIUM_PATH} (the browser tests drive it); installing chromium from`,
      );
      expect(readFileSync(env.APT_LOG, 'utf8')).toBe('update -q\ninstall -y -q chromium\n');
      expect(install.out).toContain('setup: ready');
      const again = sh('bash scripts/setup.sh', setUpClone!, 120_000, env);
      expect(again.out).not.toContain('installing chromium');
      expect(readFileSync(env.APT_LOG, 'utf8'), 'no second install').toBe('update -q\ninstall -y -q chromium\n');
    },
    300_000,
  );
});
