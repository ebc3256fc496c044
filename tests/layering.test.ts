// The layering of src/ (.dependency-cruiser.cjs, docs/ARCHITECTURE.md) is checked, not claimed: the tree passes the
// rules, and the rules do reject an upward import, a cycle and a Node built-in reachable from the browser entry.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

/** Runs the rules over `cwd`'s src/ → exit status and report. */
function cruise(cwd: string): { status: number; report: string } {
  try {
    const report = execFileSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'err'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, report };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, report: `${err.stdout}${err.stderr}` };
  }
}

describe('layering', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'webtune-layers-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('src/ has no upward import, no cycle, and no Node-only module reachable from the browser bundles', () => {
    const { status, report } = cruise(root);
    expect(report, report).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('the rules reject an upward import, an import cycle and node:fs reachable from src/browser.ts', () => {
    const files: Record<string, string> = {
      'src/runtime/device.ts': "import { add } from '../ops/elementwise.js';\nexport const r = add;\n",
      'src/ops/elementwise.ts': 'export const add = 1;\n',
      'src/data/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/data/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'src/browser.ts': "import { read } from './io/files_node.js';\nexport { read };\n",
      'src/io/files_node.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(fixture, name)), { recursive: true });
      writeFileSync(join(fixture, name), text);
    }
    copyFileSync(join(root, 'tsconfig.json'), join(fixture, 'tsconfig.json'));
    const { status, report } = cruise(fixture);
    expect(status).not.toBe(0);
    expect(report).toMatch(/error layer-runtime: src\/runtime\/device\.ts → src\/ops\/elementwise\.ts/);
    expect(report).toMatch(/error no-circular: src\/data\/(a|b)\.ts/);
    expect(report).toMatch(/error browser-no-node: src\/browser\.ts → (node:)?fs/);
  });
});
