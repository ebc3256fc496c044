// Tokenizer throughput on the 25,000 IMDb training reviews: ours (both file layouts) against @huggingface/tokenizers
// (tokenizers.js) in the same process, with an id-by-id check, for WordPiece (distilbert-base-uncased) and byte-level
// BPE (the golden tiny-roberta tokenizer). Exit code 1 on any mismatch outside a group's known, explained difference.
//
// Run from the repository root (../shared must be the sibling folder, or set WEBTUNE_SHARED):
//   npx esbuild bench/tokenizer.ts --bundle --platform=node --format=esm --packages=external --outfile=tmp/tokbench.mjs
//   node tmp/tokbench.mjs [--reviews N]      (or npm run bench:tokenizer)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { setPlatform } from '../src/platform/platform.js';
import { nodePlatform } from '../src/platform/platform_node.js';
import { BertTokenizer, RobertaTokenizer } from '../src/tokenizers/index.js';

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

/** One tokenizer family: contenders timed over the same texts, the last one the @huggingface/tokenizers reference. */
interface Group {
  title: string;
  contenders: Contender[];
  /** Texts on which a contender may legitimately differ from the reference (and why), counted apart. */
  known?: { test: (text: string) => boolean; why: string };
}

interface GroupResult {
  title: string;
  rows: Array<{ name: string; cold: PassResult; warm: PassResult }>;
  tokens: number;
  /** Each of our contenders against the reference (and the first against the second). */
  mismatches: Record<string, { count: number; first: number[]; known?: number }>;
}

/** Runs each contender twice (cold, warm) over `texts` and compares ids with the reference (the last contender). */
async function runGroup(group: Group, texts: readonly string[]): Promise<GroupResult> {
  const rows: GroupResult['rows'] = [];
  const outputs: number[][][] = [];
  for (const c of group.contenders) {
    const encode = await c.make();
    const cold = timePass(encode, texts);
    const warm = timePass(encode, texts);
    rows.push({ name: c.name, cold: cold.result, warm: warm.result });
    outputs.push(cold.ids);
  }
  const reference = outputs[outputs.length - 1]!;
  const mismatches: GroupResult['mismatches'] = {};
  const ours = group.contenders.slice(0, -1);
  if (ours.length > 1) mismatches[`${ours[0]!.name} vs ${ours[1]!.name}`] = countMismatches(outputs[0]!, outputs[1]!);
  ours.forEach((c, k) => {
    const all = countMismatches(outputs[k]!, reference);
    if (!group.known) {
      mismatches[`${c.name} vs reference`] = all;
      return;
    }
    // Split off the texts with a known, explained difference: the rest must match exactly.
    const keep = texts.map((t) => !group.known!.test(t));
    const other = countMismatches(
      outputs[k]!.filter((_, i) => keep[i]),
      reference.filter((_, i) => keep[i]),
    );
    mismatches[`${c.name} vs reference`] = { ...other, known: all.count - other.count };
  });
  return { title: group.title, rows, tokens: reference.reduce((n, r) => n + r.length, 0), mismatches };
}

function printGroup(g: GroupResult, reviews: number): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`\n${g.title}: ${reviews} reviews, ${fmt(g.tokens)} ids (with special tokens), node ${process.version}`);
  for (const r of g.rows) {
    console.log(
      `${r.name.padEnd(34)} cold ${fmt(r.cold.reviewsPerSecond).padStart(7)} reviews/s ${fmt(r.cold.tokensPerSecond).padStart(11)} tokens/s (${r.cold.seconds.toFixed(2)} s)` +
        `   warm ${fmt(r.warm.reviewsPerSecond).padStart(7)} reviews/s ${fmt(r.warm.tokensPerSecond).padStart(11)} tokens/s`,
    );
  }
  const ref = g.rows[g.rows.length - 1]!;
  for (const r of g.rows.slice(0, -1)) {
    const cold = r.cold.reviewsPerSecond / ref.cold.reviewsPerSecond;
    const warm = r.warm.reviewsPerSecond / ref.warm.reviewsPerSecond;
    console.log(`${r.name} / ${ref.name}: ${cold.toFixed(2)}x cold, ${warm.toFixed(2)}x warm`);
  }
  for (const [pair, m] of Object.entries(g.mismatches)) {
    const known = m.known === undefined ? '' : ` (plus ${m.known} on texts with a known difference)`;
    console.log(`id mismatches, ${pair}: ${m.count}${known} (first rows ${JSON.stringify(m.first)})`);
  }
}

/** reviews: how many IMDb training reviews to tokenize (default all 25,000; `--reviews N` on the command line). */
export async function runTokenizerBench(reviews = Infinity): Promise<object> {
  const sharedDir = process.env.WEBTUNE_SHARED ?? resolve(process.cwd(), '../shared');
  const modelDir = resolve(sharedDir, 'models/distilbert-base-uncased');
  const robertaDir = resolve(sharedDir, 'golden/tiny-roberta');
  setPlatform(nodePlatform);
  const texts = readFileSync(resolve(sharedDir, 'data/imdb/train.jsonl'), 'utf8')
    .split('\n') // '\n' only: reviews contain U+0085
    .filter((line) => line.length > 0)
    .slice(0, reviews)
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const json = (dir: string, name: string): object => JSON.parse(readFileSync(resolve(dir, name), 'utf8')) as object;
  const reference = (dir: string, name: string): Contender => ({
    name,
    make: async () => {
      const tok = new Tokenizer(json(dir, 'tokenizer.json'), json(dir, 'tokenizer_config.json'));
      return (t) => tok.encode(t).ids;
    },
  });
  const ours = (name: string, load: () => Promise<{ encode(t: string): { inputIds: number[] } }>): Contender => ({
    name,
    make: async () => {
      const tok = await load();
      return (t) => tok.encode(t).inputIds;
    },
  });

  const groups: Group[] = [
    {
      title: 'WordPiece (distilbert-base-uncased)',
      contenders: [
        ours('webtune (tokenizer.json)', () => BertTokenizer.fromPretrained(modelDir, { use: 'tokenizer.json' })),
        ours('webtune (vocab.txt)', () => BertTokenizer.fromPretrained(modelDir, { use: 'vocab' })),
        reference(modelDir, '@huggingface/tokenizers'),
      ],
    },
    {
      title: 'Byte-level BPE (golden tiny-roberta: 2000 tokens trained on IMDb)',
      contenders: [
        ours('webtune BPE (tokenizer.json)', () =>
          RobertaTokenizer.fromPretrained(robertaDir, { use: 'tokenizer.json' }),
        ),
        ours('webtune BPE (vocab.json+merges)', () => RobertaTokenizer.fromPretrained(robertaDir, { use: 'vocab' })),
        reference(robertaDir, '@huggingface/tokenizers'),
      ],
      // tokenizers.js splits with JavaScript's \s, which lacks U+0085; HF's Oniguruma \s (and we) count it as a space.
      known: {
        test: (t) => t.includes('\u0085'),
        why: 'U+0085 (NEL): whitespace to tokenizers (Oniguruma \\s), not to tokenizers.js',
      },
    },
  ];
  const results: GroupResult[] = [];
  for (const g of groups) {
    const r = await runGroup(g, texts);
    printGroup(r, texts.length);
    results.push(r);
  }
  const failed = results.some((r) => Object.values(r.mismatches).some((m) => m.count > 0));
  if (failed) process.exitCode = 1;
  return {
    reviews: texts.length,
    node: process.version,
    groups: results,
    known: groups.map((g) => g.known?.why ?? null),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const at = process.argv.indexOf('--reviews');
  await runTokenizerBench(at > 0 ? Number(process.argv[at + 1]) : Infinity);
}
