// Writes bench/data/imdb-train-token-lengths.json: how many of the 25,000 IMDb training reviews have each token count
// after the tutorial's tokenization (DistilBERT's uncased WordPiece, [CLS] … [SEP], truncated at 512). bench:train
// projects the tutorial's wall time from it (bench/lib/tutorial.ts); a GPU machine has no ../shared, so the
// histogram is committed. Regenerate: npm run build && node dist/bench/imdb_lengths.js (needs ../shared).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setPlatform } from '../src/platform/platform.js';
import { nodePlatform } from '../src/platform/platform_node.js';
import { BertTokenizer } from '../src/tokenizers/index.js';

const shared = process.env.WEBTUNE_SHARED ?? resolve(process.cwd(), '../shared');
setPlatform(nodePlatform);
const tok = await BertTokenizer.fromPretrained(resolve(shared, 'models/distilbert-base-uncased'));
const lines = readFileSync(resolve(shared, 'data/imdb/train.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);
const histogram: Record<number, number> = {};
for (const line of lines) {
  const n = tok.encode((JSON.parse(line) as { text: string }).text, { truncation: true, maxLength: 512 }).inputIds
    .length;
  histogram[n] = (histogram[n] ?? 0) + 1;
}
const out = {
  source: 'IMDb Large Movie Review Dataset, train split (25,000 reviews; ../shared/data/imdb/train.jsonl)',
  tokenizer: 'distilbert-base-uncased (webtune BertTokenizer), special tokens included, truncation at 512',
  maxLength: 512,
  count: lines.length,
  histogram,
};
const path = resolve(process.cwd(), 'bench/data/imdb-train-token-lengths.json');
writeFileSync(path, `${JSON.stringify(out)}\n`);
console.log(`wrote ${path}: ${lines.length} reviews, ${Object.keys(histogram).length} distinct lengths`);
