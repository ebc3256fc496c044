// Shared by the browser tests: Debian's Chromium (headless, WebGPU on SwiftShader) and the demo server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LabelScore } from '../../src/index.js';

export { launchChromium } from './chromium.js';

/** `npm test` builds first; a bare `vitest run` on a fresh checkout builds here. */
export function ensureBuilt(): void {
  if (!existsSync('dist/demo-server.js') || !existsSync('dist/browser/worker.js') || !existsSync('dist/predict.js')) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  }
}

/** Starts dist/demo-server.js on a free port → its base URL ("http://127.0.0.1:N/") and the process. */
export function startDemoServer(args: string[]): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, ['dist/demo-server.js', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    server.stderr!.on('data', (d) => (err += d));
    server.stdout!.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(d));
      if (m) resolve({ url: m[0], server });
    });
    server.on('exit', (code) => reject(new Error(`demo server exited (${code}): ${err}`)));
  });
}

/** Labels equal, scores within tol; returns the largest score difference (reported by the tests). */
export function expectSame(got: LabelScore[][], want: LabelScore[][], tol = 1e-5): number {
  expect(got).toHaveLength(want.length);
  let worst = 0;
  got.forEach((rows, i) => {
    expect(rows.map((r) => r.label)).toEqual(want[i]!.map((r) => r.label));
    rows.forEach((r, j) => (worst = Math.max(worst, Math.abs(r.score - want[i]![j]!.score))));
  });
  expect(worst).toBeLessThan(tol);
  return worst;
}

/** Classifies texts (one per line, every label) through the demo page's Classify panel. */
export async function classifyInPage(page: Page, texts: string[]): Promise<LabelScore[][]> {
  await page.fill('#review', texts.join('\n'));
  await page.check('#per-line');
  await page.selectOption('#top-k', 'all');
  await page.evaluate(() => (document.querySelector('#results-json')!.textContent = ''));
  await page.click('#classify');
  await page.waitForFunction(
    () => document.querySelector('#results-json')!.textContent !== '' || document.querySelector('#timing.error'),
  );
  const error = await page.$('#timing.error');
  if (error) throw new Error(`page: ${await error.textContent()}`);
  return JSON.parse((await page.textContent('#results-json'))!);
}
