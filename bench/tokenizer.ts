// Tokenizer throughput on the 25,000 IMDb training reviews: ours (tokenizer.json path and vocab.txt
// path) against @huggingface/tokenizers (tokenizers.js) in the same process, with an id-by-id check.
//
// Run from the repository root (../shared must be the sibling folder, or set WEBTUNE_SHARED):
//   npx esbuild bench/tokenizer.ts --bundle --platform=node --format=esm --packages=external --outfile=tmp/tokbench.mjs
//   node tmp/tokbench.mjs
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { setPlatform } from '../src/platform/platform.js';
import { nodePlatform } from '../src/platform/platform_node.js';
import { BertTokenizer } from '../src/tokenizers/index.js';

interface PassResult {
  seconds: number;
  reviewsPerSecond: number;
  tokensPerSecond: number;
}

interface Contender {
  name: string;
  /** A fresh instance per call, so the first pass includes any cache warm-up. */
  make: () => Promise<(text: string) => number[]>;
}

/** Times one pass of `encode` over `texts`; texts: [N] → ids per text and the rates. */
function timePass(
  encode: (text: string) => number[],
  texts: readonly string[],
): { ids: number[][]; result: PassResult } {
  const ids: number[][] = new Array(texts.length);
  const start = performance.now();
  for (let i = 0; i < texts.length; i++) ids[i] = encode(texts[i]!);
  const seconds = (performance.now() - start) / 1000;
  let tokens = 0;
  for (const row of ids) tokens += row.length;
  return { ids, result: { seconds, reviewsPerSecond: texts.length / seconds, tokensPerSecond: tokens / seconds } };
}

function countMismatches(a: number[][], b: number[][]): { count: number; first: number[] } {
  const first: number[] = [];
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length || x.some((v, k) => v !== y[k])) {
      count++;
      if (first.length < 5) first.push(i);
    }
  }
  return { count, first };
}

export async function runTokenizerBench(): Promise<object> {
  const sharedDir = process.env.WEBTUNE_SHARED ?? resolve(process.cwd(), '../shared');
  const modelDir = resolve(sharedDir, 'models/distilbert-base-uncased');
  setPlatform(nodePlatform);
  const texts = readFileSync(resolve(sharedDir, 'data/imdb/train.jsonl'), 'utf8')
    .split('\n') // '\n' only: reviews contain U+0085
    .filter((line) => line.length > 0)
    .map((line) => (JSON.parse(line) as { text: string }).text);

  const tokenizerJson = JSON.parse(readFileSync(resolve(modelDir, 'tokenizer.json'), 'utf8')) as object;
  const tokenizerConfig = JSON.parse(readFileSync(resolve(modelDir, 'tokenizer_config.json'), 'utf8')) as object;
  const contenders: Contender[] = [
    {
      name: 'webtune (tokenizer.json)',
      make: async () => {
        const tok = await BertTokenizer.fromPretrained(modelDir, { use: 'tokenizer.json' });
        return (t) => tok.encode(t).inputIds;
      },
    },
    {
      name: 'webtune (vocab.txt)',
      make: async () => {
        const tok = await BertTokenizer.fromPretrained(modelDir, { use: 'vocab' });
        return (t) => tok.encode(t).inputIds;
      },
    },
    {
      name: '@huggingface/tokenizers',
      make: async () => {
        const tok = new Tokenizer(tokenizerJson, tokenizerConfig);
        return (t) => tok.encode(t).ids;
      },
    },
  ];

  const rows: Array<{ name: string; cold: PassResult; warm: PassResult }> = [];
  const outputs: number[][][] = [];
  for (const c of contenders) {
    const encode = await c.make();
    const cold = timePass(encode, texts);
    const warm = timePass(encode, texts);
    rows.push({ name: c.name, cold: cold.result, warm: warm.result });
    outputs.push(cold.ids);
  }

  const vsVocab = countMismatches(outputs[0]!, outputs[1]!);
  const vsHf = countMismatches(outputs[0]!, outputs[2]!);
  const hf = rows[2]!;
  const summary = {
    reviews: texts.length,
    tokens: outputs[0]!.reduce((n, r) => n + r.length, 0),
    node: process.version,
    rows,
    mismatches: { tokenizerJsonVsVocab: vsVocab, oursVsHuggingfaceTokenizersJs: vsHf },
    speedupVsHuggingfaceTokenizersJs: Object.fromEntries(
      rows
        .slice(0, 2)
        .map((r) => [
          r.name,
          {
            cold: r.cold.reviewsPerSecond / hf.cold.reviewsPerSecond,
            warm: r.warm.reviewsPerSecond / hf.warm.reviewsPerSecond,
          },
        ]),
    ),
  };

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `IMDb train: ${summary.reviews} reviews, ${fmt(summary.tokens)} ids (with [CLS]/[SEP]), node ${process.version}`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(26)} cold ${fmt(r.cold.reviewsPerSecond).padStart(7)} reviews/s ` +
        `${fmt(r.cold.tokensPerSecond).padStart(11)} tokens/s (${r.cold.seconds.toFixed(2)} s)` +
        `   warm ${fmt(r.warm.reviewsPerSecond).padStart(7)} reviews/s ` +
        `${fmt(r.warm.tokensPerSecond).padStart(11)} tokens/s`,
    );
  }
  for (const [name, s] of Object.entries(summary.speedupVsHuggingfaceTokenizersJs)) {
    console.log(`${name} / @huggingface/tokenizers: ${s.cold.toFixed(2)}x cold, ${s.warm.toFixed(2)}x warm`);
  }
  console.log(
    `id mismatches: tokenizer.json vs vocab.txt ${vsVocab.count} (first rows ${JSON.stringify(vsVocab.first)}); ` +
      `ours vs @huggingface/tokenizers ${vsHf.count} (first rows ${JSON.stringify(vsHf.first)})`,
  );
  if (vsHf.count > 0 || vsVocab.count > 0) process.exitCode = 1;
  return summary;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runTokenizerBench();
}
