// Tests that need something the adapter or the host may lack (shader-f16, 16-lane subgroups) are declared with
// itNeeds(why, …): where `why` is set they are reported as skipped, the reason in their name, and never pass empty.
// Test files learn `why` at collection time (top-level await), before vitest decides what to skip.
import { it, type TestFunction } from 'vitest';
import { gpu } from './gpu.js';

/** Why a test that needs WebGPU feature `feature` cannot run here, or undefined where it can (starts the runtime). */
export async function lacksFeature(feature: string): Promise<string | undefined> {
  const rt = await gpu();
  return rt.features.has(feature) ? undefined : `the adapter (${rt.info.description}) lacks ${feature}`;
}

/** `it(name, fn)` where `why` is undefined; else the test is skipped, reported as "name [skipped: why]". */
export function itNeeds(why: string | undefined, name: string, fn: TestFunction, timeout?: number): void {
  it.skipIf(why !== undefined)(why === undefined ? name : `${name} [skipped: ${why}]`, fn, timeout);
}

/** `list`, after checking it is not empty: a loop over an empty list checks nothing. */
export function nonEmpty<L extends readonly unknown[]>(list: L, what: string): L {
  if (list.length === 0) throw new Error(`${what}: the list is empty, so the test would check nothing`);
  return list;
}
