// `npm run bench`: the kernel microbenchmarks (flags such as --full, --filter, --out pass through), then the
// tokenizer throughput on all 25,000 IMDb train reviews next to @huggingface/tokenizers.
import { spawnSync } from 'node:child_process';

const run = (script, args) => spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' }).status ?? 1;
const kernels = run('dist/bench/kernels.js', process.argv.slice(2));
const tokenizer = run('dist/bench/tokenizer.js', []);
process.exit(kernels || tokenizer);
