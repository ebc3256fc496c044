// Hugging Face parquet files (e.g. stanfordnlp/imdb plain_text/train-00000-of-00001.parquet, columns
// text + label) read with hyparquet, which also handles the snappy compression the Hub uses. Pure: bytes in.
// Class names come from the file's "huggingface" metadata (ClassLabel names) unless the caller gives them.

import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { resolveLabels, type RawLabel } from './labels.js';
import { datasetOf } from './dataset_of.js';
import {
  DatasetError,
  LABEL_FIELD_CANDIDATES,
  pickField,
  pickTextColumns,
  sampleLimit,
  type ParseOptions,
  type TextClassificationDataset,
} from './types.js';

// hyparquet decodes strings leniently (bad bytes become U+FFFD); we decode strictly and mark failures,
// so the row loop can report the row at fault.
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
class InvalidUtf8 {}
function strictString(bytes: Uint8Array | undefined): string | InvalidUtf8 | undefined {
  if (bytes === undefined) return undefined;
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return new InvalidUtf8();
  }
}

/** parquet file bytes, file name → dataset of its N rows (rows are numbered from 1 in errors). */
export async function parseParquet(
  input: Uint8Array | ArrayBuffer,
  where: string,
  options: ParseOptions = {},
): Promise<TextClassificationDataset> {
  const limit = sampleLimit(options, where);
  // hyparquet wants an ArrayBuffer; copy only a view that does not span its whole buffer.
  const whole =
    !(input instanceof ArrayBuffer) && input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
  const buffer: ArrayBuffer =
    input instanceof ArrayBuffer
      ? input
      : whole && input.buffer instanceof ArrayBuffer
        ? input.buffer
        : input.slice().buffer;
  if (buffer.byteLength === 0) throw new DatasetError(where, undefined, 'empty file: no examples');
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (err) {
    throw new DatasetError(where, undefined, `not a readable parquet file (${(err as Error).message})`);
  }
  // Top-level columns are the schema's direct children; nested columns are not text columns.
  const columns = topLevelColumns(metadata.schema);
  const textColumns = pickTextColumns(columns, options);
  const textCol = textColumns.text;
  const pairCol = textColumns.pair;
  const labelCol = pickField(columns, options.labelField, LABEL_FIELD_CANDIDATES);
  const shown = columns.map((c) => JSON.stringify(c)).join(', ');
  if (textCol === undefined) {
    throw new DatasetError(
      where,
      undefined,
      `no text column (looked for ${textColumns.lookedForText}; columns are ${shown})`,
    );
  }
  if (textColumns.lookedForPair !== undefined && pairCol === undefined) {
    throw new DatasetError(
      where,
      undefined,
      `no text pair column "${textColumns.lookedForPair}" (columns are ${shown})`,
    );
  }
  if (labelCol === undefined) {
    throw new DatasetError(
      where,
      undefined,
      `no label column (looked for ${options.labelField ?? LABEL_FIELD_CANDIDATES.join(', ')}; columns are ${shown})`,
    );
  }
  const numRows = Number(metadata.num_rows);
  if (numRows === 0 && limit !== 0) throw new DatasetError(where, undefined, 'the file has no rows: no examples');
  const rows = await parquetReadObjects({
    file: buffer,
    metadata,
    columns: pairCol === undefined ? [textCol, labelCol] : [textCol, pairCol, labelCol],
    rowStart: 0,
    rowEnd: Math.min(numRows, limit),
    parsers: { stringFromBytes: strictString as (b: Uint8Array) => string },
  });
  const texts: string[] = new Array(rows.length);
  const pairs: string[] | undefined = pairCol === undefined ? undefined : new Array(rows.length);
  const raw: RawLabel[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const t = textCell(rows[i]![textCol], textCol, i, where);
    const l = rows[i]![labelCol];
    if (pairs) pairs[i] = textCell(rows[i]![pairCol!], pairCol!, i, where);
    if (l instanceof InvalidUtf8) throw new DatasetError(where, i + 1, `invalid UTF-8 in column "${labelCol}"`, 'row');
    if (l === null || l === undefined) throw new DatasetError(where, i + 1, `column "${labelCol}" has no value`, 'row');
    texts[i] = t;
    raw[i] = l;
  }
  const fileNames = classLabelNames(metadata.key_value_metadata, labelCol);
  // With names of the caller's own, the file's ClassLabel ids go through the file's names first: its 0 is "neg",
  // whatever id the caller gives "neg".
  const named = options.labelNames && fileNames ? raw.map((r) => fileNames[Number(r)] ?? r) : raw;
  const { labels, labelNames } = resolveLabels(named, where, (i) => i + 1, 'row', options.labelNames ?? fileNames);
  return datasetOf(texts, pairs, labels, labelNames, where);
}

/** A text cell of row i → the string, or an error naming the row and column. */
function textCell(t: unknown, column: string, i: number, where: string): string {
  if (t instanceof InvalidUtf8) throw new DatasetError(where, i + 1, `invalid UTF-8 in column "${column}"`, 'row');
  if (typeof t !== 'string')
    throw new DatasetError(
      where,
      i + 1,
      `column "${column}" holds ${t === null || t === undefined ? 'no value' : typeof t}, not text`,
      'row',
    );
  return t;
}

function topLevelColumns(schema: ReadonlyArray<{ name: string; num_children?: number }>): string[] {
  const out: string[] = [];
  const rootChildren = schema[0]?.num_children ?? 0;
  let i = 1;
  // Walk the flattened tree: each child is followed by its own subtree, which we skip.
  for (let c = 0; c < rootChildren && i < schema.length; c++) {
    out.push(schema[i]!.name);
    i = skipSubtree(schema, i);
  }
  return out;
}

function skipSubtree(schema: ReadonlyArray<{ num_children?: number }>, i: number): number {
  let pending = 1;
  // Bounded: each step consumes one schema element.
  while (pending > 0 && i < schema.length) {
    pending += (schema[i]!.num_children ?? 0) - 1;
    i++;
  }
  return i;
}

/** The "huggingface" key's JSON → features[labelCol].names when it is a ClassLabel, else undefined. */
function classLabelNames(
  kv: ReadonlyArray<{ key: string; value?: string }> | undefined,
  labelCol: string,
): string[] | undefined {
  const json = kv?.find((e) => e.key === 'huggingface')?.value;
  if (!json) return undefined;
  try {
    const meta = JSON.parse(json) as { info?: { features?: Record<string, { names?: unknown }> } };
    const names = meta.info?.features?.[labelCol]?.names;
    return Array.isArray(names) && names.every((n) => typeof n === 'string') ? (names as string[]) : undefined;
  } catch {
    return undefined; // metadata is advisory; a malformed blob must not block reading the rows
  }
}
