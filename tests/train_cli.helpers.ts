// Running dist/train.js from tests (npm test builds dist first), always offline and reading ../shared in place.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const shared = (rel: string): string => fileURLToPath(new URL(`../../shared/${rel}`, import.meta.url));
export const SMALL_MODEL = shared('golden/small-distilbert-realvocab');
export const IMDB = shared('data/imdb');
const TRAIN_JS = join(repoRoot, 'dist/train.js');

export function requireBuild(): void {
  if (!existsSync(TRAIN_JS)) throw new Error(`${TRAIN_JS} is missing: run "npm run build" (npm test does it first)`);
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `webtune-${prefix}-`));

const env = { ...process.env, HF_HUB_OFFLINE: '1' };

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runTrainCli(args: string[], timeoutMs = 300_000): CliResult {
  const r = spawnSync(process.execPath, [TRAIN_JS, ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts dist/train.js; `until` resolves with the process's end. */
export function startTrainCli(args: string[]): {
  pid: number;
  kill(sig: NodeJS.Signals): void;
  until: Promise<CliResult>;
  stderrSoFar(): string;
} {
  const child = spawn(process.execPath, [TRAIN_JS, ...args], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const until = new Promise<CliResult>((res) =>
    child.on('close', (status, signal) => res({ status, signal, stdout, stderr })),
  );
  return { pid: child.pid!, kill: (sig) => child.kill(sig), until, stderrSoFar: () => stderr };
}

export const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** Max |a − b| over two F32 safetensors files with the same tensors (∞ when the tensor sets differ). */
export async function maxParamDiff(a: string, b: string): Promise<number> {
  const { parseSafetensors } = await import('../src/io/safetensors.js');
  const fa = parseSafetensors(new Uint8Array(readFileSync(a)), a).tensors;
  const fb = parseSafetensors(new Uint8Array(readFileSync(b)), b).tensors;
  if ([...fa.keys()].sort().join() !== [...fb.keys()].sort().join()) return Infinity;
  let max = 0;
  for (const [name, t] of fa) {
    const x = t.data() as Float32Array;
    const y = fb.get(name)!.data() as Float32Array;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  }
  return max;
}
