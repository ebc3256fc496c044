// Setup file of every test file (vitest.config.ts): a test that ends without having made a single assertion fails,
// so no test can pass empty (an early return, a loop over an empty list, a branch that checks nothing here).
// Feature-gated tests are skipped instead (helpers/needs.ts): a skipped test runs no hooks.
import { afterEach, expect } from 'vitest';

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') return; // failed already: its own error says why
  if (expect.getState().assertionCalls === 0)
    throw new Error(`test "${ctx.task.name}" made no assertion: it could not fail`);
});
