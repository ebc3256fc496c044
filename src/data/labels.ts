// Turning raw labels (ids, "pos", "positive", "1") into class ids, checked against the label set.
// Readers collect raw labels first and resolve them here, so every format follows the same rules.

import { DatasetError } from './types.js';

/** A label as a file holds it: JSON number or string, CSV string, parquet int/bigint/string. */
export type RawLabel = unknown;

export interface ResolvedLabels {
  labels: number[];
  labelNames?: string[];
}

// Common spellings of the sentiment classes; "pos" in a file matches a label set named "POSITIVE".
const SYNONYMS: Record<string, string> = { negative: 'neg', positive: 'pos' };

function canonical(name: string): string {
  const l = name.trim().toLowerCase();
  return SYNONYMS[l] ?? l;
}

/** Whether two class names mean the same class as label matching sees it ("pos" = "POSITIVE", case ignored). */
export function sameClassName(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/**
 * raw: [N] labels, position(i) → "line 12"-style number of example i;
 * labelNames (user's, else the file's) → ids in [0, labelNames.length). Without names: numeric labels
 * must be non-negative integers, and all-string labels get the sorted distinct names (HF's class_encode_column).
 */
export function resolveLabels(
  raw: readonly RawLabel[],
  where: string,
  position: (i: number) => number,
  unit: 'line' | 'row',
  labelNames?: readonly string[],
): ResolvedLabels {
  const fail = (i: number, detail: string): never => {
    throw new DatasetError(where, position(i), detail, unit);
  };
  if (labelNames !== undefined)
    return { labels: mapThroughNames(raw, labelNames, where, fail), labelNames: [...labelNames] };

  const numeric = raw.map(asInteger);
  const firstString = numeric.findIndex((v, i) => v === undefined && typeof raw[i] === 'string');
  if (firstString < 0) {
    const labels = numeric.map((v, i) => {
      if (v === undefined) return fail(i, `label ${show(raw[i])} is not an integer class id`);
      if (v < 0) return fail(i, `label ${v} is not a class id (ids start at 0)`);
      return v;
    });
    return { labels };
  }
  const firstNumber = numeric.findIndex((v) => v !== undefined);
  if (firstNumber >= 0) {
    fail(
      firstNumber,
      `label ${show(raw[firstNumber])} is a number but ${where} also has named labels such as ${show(raw[firstString])}; give labelNames`,
    );
  }
  const names = [
    ...new Set(
      raw.map((r, i) => (typeof r === 'string' ? r : fail(i, `label ${show(r)} is neither a class id nor a name`))),
    ),
  ].sort();
  return { labels: mapThroughNames(raw, names, where, fail), labelNames: names };
}

function mapThroughNames(
  raw: readonly RawLabel[],
  labelNames: readonly string[],
  where: string,
  fail: (i: number, detail: string) => never,
): number[] {
  if (labelNames.length === 0) throw new DatasetError(where, undefined, 'labelNames is empty');
  const byName = new Map<string, number>();
  labelNames.forEach((n, id) => {
    const key = canonical(n);
    if (byName.has(key))
      throw new DatasetError(
        where,
        undefined,
        `labelNames ${JSON.stringify(labelNames)} name one class twice ("${n}")`,
      );
    byName.set(key, id);
  });
  const list = labelNames.map((n) => JSON.stringify(n)).join(', ');
  return raw.map((r, i) => {
    const id = asInteger(r);
    if (id !== undefined) {
      if (id < 0 || id >= labelNames.length)
        fail(i, `label ${id} is outside the label set (ids 0..${labelNames.length - 1}: ${list})`);
      return id;
    }
    if (typeof r !== 'string') return fail(i, `label ${show(r)} is neither a class id nor a name`);
    const hit = byName.get(canonical(r));
    if (hit === undefined) return fail(i, `label ${JSON.stringify(r)} is not in the label set (${list})`);
    return hit;
  });
}

/** number / bigint / decimal-integer string → integer; anything else (1.5, "x", null) → undefined. */
function asInteger(r: RawLabel): number | undefined {
  if (typeof r === 'number') return Number.isInteger(r) ? r : undefined;
  if (typeof r === 'bigint') return Number(r);
  if (typeof r === 'string' && /^\s*-?\d+\s*$/.test(r)) return Number(r);
  return undefined;
}

function show(r: RawLabel): string {
  return typeof r === 'bigint' ? `${r}` : (JSON.stringify(r) ?? String(r));
}
