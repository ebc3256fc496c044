// Dawn's two limit notices ("Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced …") never reach
// the CLIs' stderr, whether it is a pipe or a terminal, while what else native code prints there is kept
// (src/runtime/native_stderr.ts). dist/train.js's stderr is checked by tests/train_cli.test.ts and quickstart.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { DAWN_LIMIT_NOTICE, dropLines } from '../src/runtime/native_stderr.js';

const MODEL = '../shared/golden/small-distilbert-realvocab';
const NOTICE = /artificially reduced/;
const UNIFORM_NOTICE =
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.';
const hasScript = spawnSync('script', ['--version']).status === 0;

/** `command` under a pseudo-terminal (util-linux `script`): its stdout and stderr together, as a terminal shows them. */
function inTerminal(command: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env, timeout: 110_000 });
}

beforeAll(() => {
  if (!existsSync('dist/predict.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
});

describe("Dawn's limit notices", () => {
  it('the pattern matches both notices and nothing else', () => {
    const storage = UNIFORM_NOTICE.replace('Uniform', 'Storage');
    expect(DAWN_LIMIT_NOTICE.test(UNIFORM_NOTICE)).toBe(true);
    expect(DAWN_LIMIT_NOTICE.test(storage)).toBe(true);
    expect(dropLines(`a\n${UNIFORM_NOTICE}\n${storage}\r\nError: device lost\nno newline`, DAWN_LIMIT_NOTICE)).toBe(
      'a\nError: device lost\nno newline',
    );
  });

  describe('filterNativeStderr in a process of its own', () => {
    let script: string;
    beforeAll(() => {
      // A raw write to fd 2 inside the filtered call stands for Dawn's fprintf(stderr); then Node's own stderr.
      const dir = mkdtempSync(join(tmpdir(), 'webtune-stderr-'));
      writeFileSync(
        join(dir, 'main.ts'),
        `import { writeSync } from 'node:fs';
import { filterNativeStderr, DAWN_LIMIT_NOTICE } from ${JSON.stringify(join(process.cwd(), 'src/runtime/native_stderr.ts'))};
const r = filterNativeStderr(() => { writeSync(2, ${JSON.stringify(`${UNIFORM_NOTICE}\nreal error\n`)}); return 7; }, DAWN_LIMIT_NOTICE);
process.stderr.write('after ' + r + '\\n');
console.log('stdout');`,
      );
      script = join(dir, 'main.mjs');
      buildSync({
        entryPoints: [join(dir, 'main.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: script,
        logLevel: 'error',
      });
    });

    it('stderr a shell pipe: the notice dropped, the rest kept, stderr restored', () => {
      const out = execFileSync('bash', ['-c', `"${process.execPath}" "${script}" 2>&1 >/dev/null | cat`], {
        encoding: 'utf8',
      });
      expect(out).toBe('real error\nafter 7\n');
    });

    it.skipIf(!hasScript)('stderr a terminal: the same', () => {
      expect(inTerminal(`${process.execPath} ${script}`).replace(/\r\n/g, '\n')).toBe('real error\nafter 7\nstdout\n');
    });

    it('stderr a file opened for appending (2>>): the same', () => {
      const log = join(mkdtempSync(join(tmpdir(), 'webtune-stderr-')), 'err.log');
      writeFileSync(log, 'before\n');
      execFileSync('bash', ['-c', `"${process.execPath}" "${script}" 2>>"${log}"`]);
      expect(readFileSync(log, 'utf8')).toBe('before\nreal error\nafter 7\n');
    });

    it("stderr a socket (Node's spawn pipes) or a file written from its start: left alone, everything kept", () => {
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe(`${UNIFORM_NOTICE}\nreal error\nafter 7\n`);
      expect(r.stdout).toBe('stdout\n');
      const log = join(mkdtempSync(join(tmpdir(), 'webtune-stderr-')), 'err.log');
      execFileSync('bash', ['-c', `"${process.execPath}" "${script}" 2>"${log}"`]);
      expect(readFileSync(log, 'utf8')).toBe(`${UNIFORM_NOTICE}\nreal error\nafter 7\n`);
    });
  });

  describe('the CLIs', () => {
    const predict = ['dist/predict.js', '--model', MODEL, '--text', 'Not bad at all.'];
    /** `node args…` with stderr through a shell pipe → what it printed on stderr. */
    const stderrOf = (args: string[], env: NodeJS.ProcessEnv = process.env): string =>
      execFileSync('bash', ['-c', `"$0" "$@" 2>&1 >/dev/null | cat`, process.execPath, ...args], {
        encoding: 'utf8',
        env,
        timeout: 110_000,
      });

    it('dist/predict.js: nothing on stderr (a bare Dawn process here prints the notices: reported)', () => {
      const bare = stderrOf([
        '--input-type=module',
        '-e',
        "import { create } from 'webgpu'; await create([]).requestAdapter();",
      ]);
      console.log(`a bare Dawn process on this machine prints the notices: ${NOTICE.test(bare)}`);
      expect(stderrOf(predict)).toBe('');
    });

    it('dist/train.js: stderr has the adapter line, no notice (one step of the built-in demo)', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'webtune-stderr-')), 'demo');
      const flags = [
        '--max-steps',
        '1',
        '--eval-strategy',
        'no',
        '--save-strategy',
        'no',
        '--load-best-model-at-end',
        'false',
      ];
      const err = stderrOf(['dist/train.js', '--demo', ...flags, '--output-dir', out]);
      expect(err).toMatch(/^Adapter: /m);
      expect(existsSync(join(out, 'model.safetensors')), err).toBe(true);
      expect(err).not.toMatch(NOTICE);
    });

    it.skipIf(!hasScript)('dist/predict.js, stderr a terminal: no notice', () => {
      const out = inTerminal([process.execPath, ...predict.map((a) => `'${a}'`)].join(' '));
      expect(out).toMatch(/^\[\{"label":"(POSITIVE|NEGATIVE)"/);
      expect(out).not.toMatch(NOTICE);
    });

    it("other native output is kept (the Vulkan loader's driver log)", () => {
      const err = stderrOf(predict, { ...process.env, VK_LOADER_DEBUG: 'driver' });
      expect(err).toMatch(/^DRIVER: /m);
      expect(err).not.toMatch(NOTICE);
    });
  });
});
