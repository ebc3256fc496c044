import { defineConfig } from 'vitest/config';

// Inline shaders/*.wgsl as strings, as esbuild's `text` loader does for the bundles.
const wgslAsText = {
  name: 'wgsl-as-text',
  transform(code: string, id: string) {
    if (!id.endsWith('.wgsl')) return null;
    return { code: `export default ${JSON.stringify(code)};`, map: null };
  },
};

export default defineConfig({
  plugins: [wgslAsText],
  test: {
    include: ['tests/**/*.test.ts'],
    // Every test must make an assertion (a test that checks nothing fails).
    setupFiles: ['tests/helpers/every_test_asserts.ts'],
    // One Dawn device per worker process; GPU tests are slow on lavapipe, so run files in a few forks.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
