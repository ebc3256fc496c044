// CSV (RFC 4180 quoting) and TSV (GLUE style: no quoting, a tab between fields) with a header row.
// Pure: bytes or text in. The text and label columns are found by name in the header.

import { nonBlankLines } from './lines.js';
import { decodeUtf8 } from '../io/files.js';
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

export interface DelimitedOptions extends ParseOptions {
  /** ',' for CSV, '\t' for TSV. */
  delimiter: string;
  /** Honour "…" quoting with "" escapes and quoted newlines (CSV). GLUE TSVs are unquoted: a " is text. */
  quoted: boolean;
}

interface Row {
  fields: string[];
  /** 1-based line where the row starts. */
  line: number;
}

/** CSV/TSV bytes or text with a header, file name → dataset of the N data rows (blank lines skipped). */
export function parseDelimited(
  input: string | Uint8Array,
  where: string,
  options: DelimitedOptions,
): TextClassificationDataset {
  const text = typeof input === 'string' ? input : decodeUtf8(input, where);
  const limit = sampleLimit(options, where);
  const rows = options.quoted
    ? quotedRows(text, options.delimiter, where, limit + 1)
    : plainRows(text, options.delimiter, limit + 1);
  if (rows.length === 0) throw new DatasetError(where, undefined, 'empty file: no header and no examples');
  const header = rows[0]!.fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const columns = pickTextColumns(header, options);
  const textCol = columns.text;
  const labelCol = pickField(header, options.labelField, LABEL_FIELD_CANDIDATES);
  const shown = header.map((h) => JSON.stringify(h)).join(', ');
  if (textCol === undefined) {
    throw new DatasetError(
      where,
      rows[0]!.line,
      `header has no text column (looked for ${columns.lookedForText}; header is ${shown})`,
    );
  }
  if (columns.lookedForPair !== undefined && columns.pair === undefined) {
    throw new DatasetError(
      where,
      rows[0]!.line,
      `header has no text pair column "${columns.lookedForPair}" (header is ${shown})`,
    );
  }
  if (labelCol === undefined) {
    const looked = options.labelField ?? LABEL_FIELD_CANDIDATES.join(', ');
    throw new DatasetError(
      where,
      rows[0]!.line,
      `header has no label column (looked for ${looked}; header is ${shown})`,
    );
  }
  const ti = header.indexOf(textCol);
  const pi = columns.pair === undefined ? -1 : header.indexOf(columns.pair);
  const li = header.indexOf(labelCol);
  const data = rows.slice(1);
  if (data.length === 0 && limit !== 0) throw new DatasetError(where, undefined, 'no examples after the header');
  const texts: string[] = new Array(data.length);
  const pairs: string[] | undefined = pi < 0 ? undefined : new Array(data.length);
  const raw: RawLabel[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const { fields, line } = data[i]!;
    if (fields.length !== header.length) {
      throw new DatasetError(where, line, `expected ${header.length} fields as in the header, found ${fields.length}`);
    }
    texts[i] = fields[ti]!;
    if (pairs) pairs[i] = fields[pi]!;
    raw[i] = fields[li]!.trim();
  }
  const { labels, labelNames } = resolveLabels(raw, where, (i) => data[i]!.line, 'line', options.labelNames);
  return datasetOf(texts, pairs, labels, labelNames, where);
}

/** Unquoted: one row per "\n"-line, fields split on the delimiter. */
function plainRows(text: string, delimiter: string, limit: number): Row[] {
  return nonBlankLines(text, limit).map(({ text: s, line }) => ({ fields: s.split(delimiter), line }));
}

/** RFC 4180: fields may be "quoted", "" is a quote inside one, and quoted fields may span lines. */
function quotedRows(text: string, delimiter: string, where: string, limit: number): Row[] {
  const out: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endRow = (): void => {
    fields.push(field);
    // A row holding one empty field is a blank line: skipped, as in the unquoted reader.
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: rowLine });
    fields = [];
    field = '';
  };
  while (i < text.length && out.length < limit) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      // Find the closing quote (one not followed by another), then unescape the span in one go.
      let q = text.indexOf('"', i + 1);
      while (q >= 0 && text[q + 1] === '"') q = text.indexOf('"', q + 2);
      if (q < 0) throw new DatasetError(where, line, 'a quoted field is never closed');
      const raw = text.slice(i + 1, q);
      // split/join: several times faster than replaceAll here, whose GC cost grows with the kept results.
      field = raw.includes('"') ? raw.split('""').join('"') : raw;
      line += countNewlines(raw);
      i = q + 1;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new DatasetError(where, line, `unexpected ${JSON.stringify(next)} after a closing quote`);
      }
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n') {
      endRow();
      line++;
      rowLine = line;
      i++;
    } else {
      // An unquoted run: slice it whole rather than growing the field a character at a time.
      let j = i;
      while (j < text.length && text[j] !== delimiter && text[j] !== '\n') j++;
      // CRLF: the "\r" belongs to the line end, not the field.
      field += text.slice(i, text[j] === '\n' && text[j - 1] === '\r' ? j - 1 : j);
      i = j;
    }
  }
  if (out.length < limit && (field !== '' || fields.length > 0)) endRow();
  return out;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
  return n;
}
