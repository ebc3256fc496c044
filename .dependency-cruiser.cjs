// The layering of src/, checked: `npm run lint:deps`, and in CI by tests/layering.test.ts. docs/ARCHITECTURE.md
// explains the layers; this file is their definition. A module may import its own layer and the layers listed as
// below it, nothing else in src/; there are no import cycles (type-only imports count); the browser bundles
// (src/browser.ts, src/web/) reach no Node built-in, no `webgpu` and no *_node.ts file.
const { builtinModules } = require('node:module');

// name → [its files (a path regex), the layers it may import], listed from the bottom up: each names only earlier ones.
const LAYERS = {
  util: ['^src/util/', []],
  platform: ['^src/platform/(platform|types)\\.ts$', ['util']],
  io: ['^src/io/', ['util', 'platform']],
  runtime: ['^src/runtime/', ['util', 'platform']],
  tensor: ['^src/tensor/', ['util', 'runtime']],
  // The ops that record nothing (creation, fills, in-place accumulation): the autograd tape is built on them.
  kernels: ['^src/ops/(kernel|basic|sources)\\.ts$', ['util', 'runtime', 'tensor']],
  autograd: ['^src/autograd/', ['util', 'runtime', 'tensor', 'kernels']],
  ops: ['^src/ops/', ['util', 'runtime', 'tensor', 'kernels', 'autograd']],
  nn: ['^src/nn/', ['util', 'runtime', 'tensor', 'kernels', 'autograd', 'ops']],
  optim: ['^src/optim/', ['util', 'runtime', 'tensor', 'kernels', 'autograd', 'ops']],
  engine: ['^src/engine\\.ts$', ['util', 'platform', 'runtime', 'tensor', 'kernels', 'autograd', 'ops', 'nn', 'optim']],
  // Host-side libraries: text and files only, no GPU.
  tokenizers: ['^src/tokenizers/', ['util', 'platform', 'io']],
  data: ['^src/data/', ['util', 'platform', 'io']],
  models: [
    '^src/models/',
    ['util', 'platform', 'io', 'runtime', 'tensor', 'kernels', 'autograd', 'ops', 'nn', 'optim'],
  ],
};
const ENGINE_AND_MODELS = [...Object.keys(LAYERS)];
Object.assign(LAYERS, {
  train: ['^src/train/(?!cli/)', ENGINE_AND_MODELS],
  pipeline: ['^src/pipeline/', ENGINE_AND_MODELS],
  export: ['^src/export/', ENGINE_AND_MODELS],
  // The training command line's library part (flags, sources, progress, estimate), shared by the CLI and the page.
  trainCli: ['^src/train/cli/', [...ENGINE_AND_MODELS, 'train', 'pipeline', 'export']],
});
const LIBRARY = [...Object.keys(LAYERS)];
Object.assign(LAYERS, {
  // The Node and browser platforms, set by the entries.
  platforms: ['^src/platform/platform_(node|browser)\\.ts$', LIBRARY],
  entries: ['^src/(index|browser)\\.ts$', [...LIBRARY, 'platforms']],
  // Front ends, on top: the built-in demo, then the CLIs and the web page.
  demo: ['^src/demo/', [...LIBRARY, 'platforms', 'entries']],
  cli: ['^src/cli/', [...LIBRARY, 'platforms', 'entries', 'demo']],
  web: ['^src/web/', [...LIBRARY, 'platforms', 'entries', 'demo']],
});

// A file belongs to the first layer whose pattern matches it (kernels before ops, platform before platforms).
const owner = (name) => `(${LAYERS[name][0]})`;
const layerRules = Object.entries(LAYERS).map(([name, [path, below]]) => {
  const earlier = Object.keys(LAYERS).slice(0, Object.keys(LAYERS).indexOf(name));
  return {
    name: `layer-${name}`,
    comment: `${name} may import only itself and ${below.join(', ') || 'nothing else in src/'}`,
    severity: 'error',
    // Files an earlier layer claims are not this layer's (src/ops/basic.ts is `kernels`, not `ops`).
    from: { path, pathNot: earlier.map(owner) },
    to: { path: '^src/', pathNot: [path, ...below.map(owner)] },
  };
});

const builtins = builtinModules.filter((m) => !m.startsWith('_')).join('|');
const nodeOnly = `^(node:)?(${builtins})(/|$)|(^|/)webgpu/|_node\\.ts$`;

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'in-a-layer',
      comment: 'every file of src/ belongs to a layer: add a new folder to LAYERS',
      severity: 'error',
      from: { path: '^src/', pathNot: [...Object.keys(LAYERS).map(owner), '\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'no import cycles (type-only imports included): shared types go into a module of their own',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'browser-no-node',
      comment:
        'the browser bundles reach no Node built-in, no `webgpu` and no *_node.ts file (build.mjs refuses them too)',
      severity: 'error',
      from: { path: '^src/(browser\\.ts|web/)' },
      to: { reachable: true, path: nodeOnly },
    },
    {
      name: 'src-not-tests',
      comment: 'the library imports nothing from tests/, bench/ or scripts/',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tests|bench|scripts)/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports are dependencies too: a cycle through types is still a cycle.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.wgsl$' },
  },
};
