// Builds dist/: the Node library entry, the CLIs, the benches, the browser bundle (no Node built-ins) and types.
// WGSL shaders are inlined as strings (esbuild `text` loader): nothing reads shader files at run time.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';

const common = {
  bundle: true,
  format: 'esm',
  loader: { '.wgsl': 'text' },
  sourcemap: true,
  logLevel: 'warning',
  target: 'es2022',
};
// Node outputs keep npm packages external (resolved from node_modules at run time).
const node = { ...common, platform: 'node', packages: 'external' };

const nodeEntries = {
  'dist/index.js': 'src/index.ts',
  'dist/train.js': 'src/cli/train.ts',
  'dist/predict.js': 'src/cli/predict.ts',
  'dist/export.js': 'src/cli/export.ts',
  'dist/demo-server.js': 'src/cli/demo_server.ts',
};
for (const f of existsSync('bench') ? readdirSync('bench') : []) {
  if (f.endsWith('.ts')) nodeEntries[`dist/bench/${f.replace(/\.ts$/, '.js')}`] = `bench/${f}`;
}

/**
 * The source the benches are built from, recorded in every results file (bench/lib/provenance.ts): the commit and
 * the uncommitted changes (results files aside: a bench run writes them); outside a git checkout the commit
 * WEBTUNE_SOURCE_COMMIT names (a `git archive` export), else 'unknown'.
 */
function sourceState() {
  const git = (...args) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  try {
    const changes = git('status', '--porcelain=v1', '--untracked-files=all', '--', '.', ':(exclude)bench/results');
    const changed = changes ? changes.split('\n') : [];
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: changed.length > 0,
      changes: changed.slice(0, 40),
      builtAt: new Date().toISOString(),
    };
  } catch {
    // A tree exported by `git archive` (bench/compare_builds.sh) has no .git: the exporter names the commit, whose
    // files the tree holds exactly.
    const exported = process.env.WEBTUNE_SOURCE_COMMIT;
    if (exported)
      return { commit: exported, dirty: false, changes: [], exported: true, builtAt: new Date().toISOString() };
    return { commit: 'unknown (no git checkout)', dirty: true, changes: [], builtAt: new Date().toISOString() };
  }
}
const benchSource = { BENCH_SOURCE: JSON.stringify(sourceState()) };

rmSync('dist', { recursive: true, force: true });
const jobs = [];
for (const [outfile, entry] of Object.entries(nodeEntries)) {
  const define = outfile.startsWith('dist/bench/') ? benchSource : undefined;
  if (existsSync(entry)) jobs.push(build({ ...node, entryPoints: [entry], outfile, define }));
}
// Browser: everything bundled; Node built-ins and `webgpu` are refused outright so one can never slip in.
const browserEntries = {
  'dist/browser/webtune.js': 'src/browser.ts',
  'dist/browser/worker.js': 'src/web/worker.ts',
  'dist/browser/demo.js': 'src/web/demo.ts',
};
const refuseNode = {
  name: 'refuse-node-modules',
  setup(b) {
    b.onResolve({ filter: /^(node:|fs$|path$|os$|url$|crypto$|child_process$|webgpu$)/ }, (args) => ({
      errors: [{ text: `browser bundle must not import "${args.path}" (imported from ${args.importer})` }],
    }));
  },
};
for (const [outfile, entry] of Object.entries(browserEntries)) {
  if (existsSync(entry))
    jobs.push(build({ ...common, platform: 'browser', entryPoints: [entry], outfile, plugins: [refuseNode] }));
}
await Promise.all(jobs);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.', '--emitDeclarationOnly'], {
  stdio: 'inherit',
});
console.log('built dist/');
