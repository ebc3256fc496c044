// Shared by the DistilBERT golden tests: reading ../shared/golden in place, comparing tensors with a per-tensor
// max-error table (printed by the tests), and counting the embedding gathers that show the padding was skipped.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSafetensors } from '../src/io/safetensors.js';
import { runtime } from '../src/runtime/device.js';

export const goldenPath = (rel: string): string =>
  fileURLToPath(new URL(`../../shared/golden/${rel}`, import.meta.url));
export const readGoldenJson = (rel: string): any => JSON.parse(readFileSync(goldenPath(rel), 'utf8'));

/** A golden .safetensors file as name → {shape, data}. */
export function readGoldenTensors(rel: string): Map<string, { shape: number[]; data: Float32Array }> {
  const file = parseSafetensors(new Uint8Array(readFileSync(goldenPath(rel))), rel);
  return new Map([...file.tensors].map(([n, t]) => [n, { shape: [...t.shape], data: t.data() as Float32Array }]));
}

export interface ErrorRow {
  tensor: string;
  maxAbs: number;
  maxRel: number;
  /** max over elements of |a-b| / (atol + rtol·|b|), and normRel / normRtol where checked; ≤ 1 passes. */
  ratio: number;
  /** ‖a − b‖ / ‖b‖ (compareByNorm): a tensor of tiny values is held to its own scale, not to atol. */
  normRel?: number;
}

/** Compares actual with expected under |a−b| ≤ atol + rtol·|b|; returns the row (NaN anywhere fails). */
export function compare(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol = 0,
): ErrorRow {
  if (actual.length !== expected.length)
    throw new Error(`${name}: ${actual.length} values, expected ${expected.length}`);
  let maxAbs = 0;
  let maxRel = 0;
  let ratio = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const d = Math.abs(a - b);
    if (Number.isNaN(d)) return { tensor: name, maxAbs: NaN, maxRel: NaN, ratio: Infinity };
    maxAbs = Math.max(maxAbs, d);
    if (b !== 0) maxRel = Math.max(maxRel, d / Math.abs(b));
    ratio = Math.max(ratio, d / (atol + rtol * Math.abs(b)));
  }
  return { tensor: name, maxAbs, maxRel, ratio };
}

/**
 * compare() and also ‖a − b‖ ≤ normRtol·‖b‖ over the whole tensor: gradients far below atol (the q/k projections'
 * are under 1e-6 here) would pass the elementwise test even if they were all zero.
 */
export function compareByNorm(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  normRtol: number,
): ErrorRow {
  const row = compare(name, actual, expected, atol, rtol);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    ref += expected[i] ** 2;
  }
  const normRel = diff === 0 ? 0 : Math.sqrt(diff / ref); // NaN stays NaN; a zero reference allows only zero
  return { ...row, normRel, ratio: Math.max(row.ratio, Number.isNaN(normRel) ? Infinity : normRel / normRtol) };
}

/** Prints the rows as a table and returns the failing ones. */
export function report(title: string, rows: ErrorRow[]): ErrorRow[] {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      tensor: r.tensor,
      maxAbs: r.maxAbs.toExponential(2),
      maxRel: r.maxRel.toExponential(2),
      ...(r.normRel === undefined ? {} : { '‖Δ‖/‖ref‖': r.normRel.toExponential(2) }),
      'err/tol': r.ratio.toFixed(3),
    })),
  );
  const worst = rows.reduce((w, r) => (r.ratio > w.ratio ? r : w), rows[0]);
  const maxAbs = Math.max(...rows.map((r) => r.maxAbs));
  console.log(
    `${title}: ${rows.length} tensors, max |err| ${maxAbs.toExponential(2)}, worst err/tol ${worst.ratio.toFixed(3)} (${worst.tensor})`,
  );
  return rows.filter((r) => !(r.ratio <= 1));
}

/** Runs fn and counts the dispatches of the embedding (row gather) kernel: 2 padded, more when packed. */
export function countGathers<T>(fn: () => T): { result: T; gathers: number } {
  const rt = runtime();
  let gathers = 0;
  rt.profiler = { onDispatch: (name) => void (name.startsWith('embedding') && gathers++) };
  try {
    return { result: fn(), gathers };
  } finally {
    rt.profiler = undefined;
  }
}
