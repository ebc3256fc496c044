// Parquet via hyparquet. No parquet writer is installed, so the test builds files by hand: one row
// group, a REQUIRED BYTE_ARRAY (UTF8) text column and an INT64 label column, PLAIN encoding,
// uncompressed, with the Thrift compact-protocol footer written below (~100 lines).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadDataset, parseParquet } from '../src/data/node.js';

// ---- Thrift compact protocol: just what FileMetaData and PageHeader need ----
const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;
type Field = [id: number, type: number, value: unknown];

class Compact {
  bytes: number[] = [];
  varint(n: bigint): void {
    let v = n;
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
  }
  zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  value(type: number, v: unknown): void {
    if (type === T.I32 || type === T.I64) this.zigzag(v as number | bigint);
    else if (type === T.BINARY) {
      const b = typeof v === 'string' ? new TextEncoder().encode(v) : (v as Uint8Array);
      this.varint(BigInt(b.length));
      this.bytes.push(...b);
    } else if (type === T.STRUCT) this.struct(v as Field[]);
    else if (type === T.LIST) {
      const [elemType, items] = v as [number, unknown[]];
      if (items.length < 15) this.bytes.push((items.length << 4) | elemType);
      else {
        this.bytes.push(0xf0 | elemType);
        this.varint(BigInt(items.length));
      }
      for (const it of items) this.value(elemType, it);
    }
  }
  struct(fields: Field[]): void {
    let last = 0;
    for (const [id, type, v] of fields) {
      if (v === undefined) continue; // optional field left out
      this.bytes.push(((id - last) << 4) | type);
      last = id;
      this.value(type, v);
    }
    this.bytes.push(0);
  }
}
const struct = (fields: Field[]): Uint8Array => {
  const c = new Compact();
  c.struct(fields);
  return new Uint8Array(c.bytes);
};

interface Column {
  name: string;
  kind: 'string' | 'int64';
  values: Array<string | Uint8Array | number>;
}

/** columns → bytes of a valid parquet file (one row group, one PLAIN data page per column, no compression). */
function buildParquet(columns: Column[], kv?: Record<string, string>): Uint8Array {
  const n = columns[0]!.values.length;
  const out: number[] = [...new TextEncoder().encode('PAR1')];
  const chunks: Field[][] = [];
  for (const col of columns) {
    const data: number[] = [];
    for (const v of col.values) {
      if (col.kind === 'int64') {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigInt64(0, BigInt(v as number), true);
        data.push(...b);
      } else {
        const b = typeof v === 'string' ? new TextEncoder().encode(v) : (v as Uint8Array);
        const len = new Uint8Array(4);
        new DataView(len.buffer).setUint32(0, b.length, true);
        data.push(...len, ...b);
      }
    }
    const header = struct([
      [1, T.I32, 0], // DATA_PAGE
      [2, T.I32, data.length],
      [3, T.I32, data.length],
      [
        5,
        T.STRUCT,
        [
          [1, T.I32, n],
          [2, T.I32, 0],
          [3, T.I32, 3],
          [4, T.I32, 3],
        ],
      ], // PLAIN values, RLE levels
    ]);
    const offset = out.length;
    out.push(...header, ...data);
    const type = col.kind === 'int64' ? 2 : 6;
    const size = header.length + data.length;
    chunks.push([
      [2, T.I64, offset],
      [
        3,
        T.STRUCT,
        [
          [1, T.I32, type],
          [2, T.LIST, [T.I32, [0, 3]]],
          [3, T.LIST, [T.BINARY, [col.name]]],
          [4, T.I32, 0], // UNCOMPRESSED
          [5, T.I64, n],
          [6, T.I64, size],
          [7, T.I64, size],
          [9, T.I64, offset],
        ],
      ],
    ]);
  }
  const schema: Field[][] = [
    [
      [4, T.BINARY, 'schema'],
      [5, T.I32, columns.length],
    ],
    ...columns.map((c): Field[] => [
      [1, T.I32, c.kind === 'int64' ? 2 : 6],
      [3, T.I32, 0], // REQUIRED
      [4, T.BINARY, c.name],
      [6, T.I32, c.kind === 'string' ? 0 : undefined], // UTF8
    ]),
  ];
  const kvList = kv
    ? Object.entries(kv).map(([k, v]): Field[] => [
        [1, T.BINARY, k],
        [2, T.BINARY, v],
      ])
    : undefined;
  const footer = struct([
    [1, T.I32, 1],
    [2, T.LIST, [T.STRUCT, schema]],
    [3, T.I64, n],
    [
      4,
      T.LIST,
      [
        T.STRUCT,
        [
          [
            [1, T.LIST, [T.STRUCT, chunks]],
            [2, T.I64, out.length - 4],
            [3, T.I64, n],
          ],
        ],
      ],
    ],
    [5, T.LIST, kvList ? [T.STRUCT, kvList] : undefined],
    [6, T.BINARY, 'webtune test'],
  ]);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  return new Uint8Array([...out, ...footer, ...len, ...new TextEncoder().encode('PAR1')]);
}

// The metadata HF `datasets` writes into its parquet files: ClassLabel names for the label column.
const HF_META = {
  huggingface: JSON.stringify({
    info: {
      features: { text: { dtype: 'string', _type: 'Value' }, label: { names: ['neg', 'pos'], _type: 'ClassLabel' } },
    },
  }),
};
const imdbLike = (texts: string[], labels: number[]): Column[] => [
  { name: 'text', kind: 'string', values: texts },
  { name: 'label', kind: 'int64', values: labels },
];

const tmp = mkdtempSync(join(tmpdir(), 'webtune-parquet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parquet (stanfordnlp/imdb layout)', () => {
  test('reads text + label, and label names from the huggingface metadata', async () => {
    const texts = ['A great film.', 'Awful\u0085truly awful', 'Café crème 😀'];
    const ds = await parseParquet(buildParquet(imdbLike(texts, [1, 0, 1]), HF_META), 'train.parquet');
    expect(ds).toEqual({ texts, labels: [1, 0, 1], labelNames: ['neg', 'pos'], source: 'train.parquet' });
  });

  test('maxSamples, custom columns, caller label names win', async () => {
    const cols: Column[] = [
      { name: 'idx', kind: 'int64', values: [0, 1, 2] },
      { name: 'sentence', kind: 'string', values: ['x', 'y', 'z'] },
      { name: 'label', kind: 'string', values: ['positive', 'negative', 'positive'] },
    ];
    const ds = await parseParquet(buildParquet(cols), 'sst.parquet', {
      maxSamples: 2,
      labelNames: ['NEGATIVE', 'POSITIVE'],
    });
    expect(ds.texts).toEqual(['x', 'y']);
    expect(ds.labels).toEqual([1, 0]);
  });

  test('caller label names in another order: ClassLabel ids go through the file\'s names (its 0 is "neg")', async () => {
    const file = buildParquet(imdbLike(['good', 'bad', 'fine'], [1, 0, 1]), HF_META);
    const ds = await parseParquet(file, 'train.parquet', { labelNames: ['POSITIVE', 'NEGATIVE'] });
    expect(ds.labels).toEqual([0, 1, 0]);
    expect(ds.labelNames).toEqual(['POSITIVE', 'NEGATIVE']);
  });

  test('an HF snapshot folder: plain_text/<split>-NNNNN-of-NNNNN.parquet shards, concatenated in order', async () => {
    const dir = join(tmp, 'snapshot');
    mkdirSync(join(dir, 'plain_text'), { recursive: true });
    writeFileSync(join(dir, 'plain_text/train-00001-of-00002.parquet'), buildParquet(imdbLike(['c'], [1]), HF_META));
    writeFileSync(
      join(dir, 'plain_text/train-00000-of-00002.parquet'),
      buildParquet(imdbLike(['a', 'b'], [0, 1]), HF_META),
    );
    writeFileSync(join(dir, 'plain_text/test-00000-of-00001.parquet'), buildParquet(imdbLike(['t'], [0]), HF_META));
    const train = await loadDataset(dir);
    expect(train.texts).toEqual(['a', 'b', 'c']);
    expect(train.labelNames).toEqual(['neg', 'pos']);
    expect((await loadDataset(dir, { split: 'test' })).texts).toEqual(['t']);
    expect((await loadDataset(dir, { maxSamples: 2 })).texts).toEqual(['a', 'b']);
  });

  test('a Hub id ("imdb") loads from the HF cache: datasets--stanfordnlp--imdb, offline', async () => {
    const snap = join(tmp, 'hub', 'datasets--stanfordnlp--imdb', 'snapshots', 'c'.repeat(40));
    mkdirSync(join(snap, 'plain_text'), { recursive: true });
    mkdirSync(join(tmp, 'hub', 'datasets--stanfordnlp--imdb', 'refs'), { recursive: true });
    writeFileSync(join(tmp, 'hub', 'datasets--stanfordnlp--imdb', 'refs', 'main'), 'c'.repeat(40));
    writeFileSync(join(snap, 'plain_text/train-00000-of-00001.parquet'), buildParquet(imdbLike(['tr'], [1]), HF_META));
    writeFileSync(
      join(snap, 'plain_text/test-00000-of-00001.parquet'),
      buildParquet(imdbLike(['te1', 'te2'], [0, 1]), HF_META),
    );
    const hub = { cacheDir: join(tmp, 'hub'), offline: true };
    const test = await loadDataset('imdb', { split: 'test', hub });
    expect(test.texts).toEqual(['te1', 'te2']);
    expect(test.labelNames).toEqual(['neg', 'pos']);
    expect((await loadDataset('stanfordnlp/imdb', { hub })).texts).toEqual(['tr']);
    await expect(loadDataset('imdb', { split: 'unsupervised', hub })).rejects.toThrow(
      /no "unsupervised" split among train-00000-of-00001\.parquet/,
    );
  });

  test('errors: label outside the ClassLabel names, invalid UTF-8, missing column, not parquet, empty', async () => {
    await expect(parseParquet(buildParquet(imdbLike(['a', 'b'], [1, 2]), HF_META), 'p.parquet')).rejects.toThrow(
      'p.parquet (row 2): label 2 is outside the label set (ids 0..1: "neg", "pos")',
    );
    const bad = buildParquet([
      { name: 'text', kind: 'string', values: ['ok', new Uint8Array([0x62, 0xff])] },
      { name: 'label', kind: 'int64', values: [0, 1] },
    ]);
    await expect(parseParquet(bad, 'u.parquet')).rejects.toThrow('u.parquet (row 2): invalid UTF-8 in column "text"');
    const noText = buildParquet([{ name: 'label', kind: 'int64', values: [0] }]);
    await expect(parseParquet(noText, 'n.parquet')).rejects.toThrow(
      'n.parquet: no text column (looked for text, sentence, review, content; columns are "label")',
    );
    await expect(parseParquet(new TextEncoder().encode('not parquet at all'), 'x.parquet')).rejects.toThrow(
      /x\.parquet: not a readable parquet file/,
    );
    await expect(parseParquet(new Uint8Array(0), 'e.parquet')).rejects.toThrow('e.parquet: empty file: no examples');
  });

  test('sentence pairs: GLUE-style columns (premise, hypothesis) or a named pair column; invalid UTF-8 in it names the row', async () => {
    const cols = (pairs: Array<string | Uint8Array>): Column[] => [
      { name: 'premise', kind: 'string', values: ['A man sleeps.', 'A dog runs.'] },
      { name: 'hypothesis', kind: 'string', values: pairs },
      { name: 'label', kind: 'int64', values: [0, 1] },
    ];
    const ds = await parseParquet(buildParquet(cols(['Nobody sleeps.', 'An animal moves.'])), 'mnli.parquet');
    expect(ds).toEqual({
      texts: ['A man sleeps.', 'A dog runs.'],
      textPairs: ['Nobody sleeps.', 'An animal moves.'],
      labels: [0, 1],
      source: 'mnli.parquet',
    });
    const named = await parseParquet(buildParquet(cols(['x', 'y'])), 'n.parquet', {
      textField: 'hypothesis',
      textPairField: 'premise',
    });
    expect(named.texts).toEqual(['x', 'y']);
    expect(named.textPairs).toEqual(['A man sleeps.', 'A dog runs.']);
    // Only the pair column named: its GLUE partner is the text.
    const partner = await parseParquet(buildParquet(cols(['x', 'y'])), 'n.parquet', { textPairField: 'hypothesis' });
    expect(partner.texts).toEqual(['A man sleeps.', 'A dog runs.']);
    await expect(
      parseParquet(buildParquet(cols(['x', 'y'])), 'n.parquet', { textField: 'premise', textPairField: 'nope' }),
    ).rejects.toThrow('n.parquet: no text pair column "nope" (columns are "premise", "hypothesis", "label")');
    await expect(parseParquet(buildParquet(cols(['ok', new Uint8Array([0xff])])), 'u.parquet')).rejects.toThrow(
      'u.parquet (row 2): invalid UTF-8 in column "hypothesis"',
    );
  });
});
