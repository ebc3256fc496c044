// JSON Lines ({"text": ..., "label": ...} per line) and JSON-array datasets. Pure: bytes or text in.
// Lines are split on "\n" only: IMDb reviews contain U+0085 (NEL), which other splitters treat as a break.

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
  type TextColumns,
} from './types.js';

/** JSONL (or a JSON array of records) bytes/text, file name → dataset of N records (blank lines skipped). */
export function parseJsonl(
  input: string | Uint8Array,
  where: string,
  options: ParseOptions = {},
): TextClassificationDataset {
  const text = typeof input === 'string' ? input : decodeUtf8(input, where);
  const limit = sampleLimit(options, where);
  const first = text.search(/\S/);
  if (first < 0) throw new DatasetError(where, undefined, 'empty file: no examples');
  const records = text[first] === '[' ? arrayRecords(text, where, limit) : lineRecords(text, where, limit);
  return toDataset(records, where, options, text[first] === '[' ? 'row' : 'line');
}

interface Located {
  value: unknown;
  /** 1-based line (JSONL) or record index (array). */
  pos: number;
}

function lineRecords(text: string, where: string, limit: number): Located[] {
  return nonBlankLines(text, limit).map(({ text: s, line }) => {
    try {
      return { value: JSON.parse(s) as unknown, pos: line };
    } catch (err) {
      throw new DatasetError(where, line, `not valid JSON (${(err as Error).message}): ${preview(s)}`);
    }
  });
}

function arrayRecords(text: string, where: string, limit: number): Located[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(where, undefined, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value)) throw new DatasetError(where, undefined, 'expected a JSON array of records');
  return value.slice(0, Math.min(value.length, limit)).map((v, i) => ({ value: v, pos: i + 1 }));
}

function toDataset(
  records: Located[],
  where: string,
  options: ParseOptions,
  unit: 'line' | 'row',
): TextClassificationDataset {
  if (records.length === 0 && options.maxSamples !== 0)
    throw new DatasetError(where, undefined, 'empty file: no examples');
  const texts: string[] = new Array(records.length);
  const raw: RawLabel[] = new Array(records.length);
  let pairs: string[] | undefined;
  let columns: TextColumns | undefined;
  let labelKey: string | undefined;
  for (let i = 0; i < records.length; i++) {
    const { value, pos } = records[i]!;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DatasetError(
        where,
        pos,
        `expected a JSON object with text and label fields, got ${preview(JSON.stringify(value))}`,
        unit,
      );
    }
    const obj = value as Record<string, unknown>;
    // Field names are chosen from the first record and then required of every record.
    columns ??= pickTextColumns(Object.keys(obj), options);
    labelKey ??= pickField(Object.keys(obj), options.labelField, LABEL_FIELD_CANDIDATES);
    const t = columns.text === undefined ? undefined : obj[columns.text];
    if (t === undefined) {
      throw new DatasetError(
        where,
        pos,
        `missing text field (looked for ${columns.lookedForText}; record has ${keys(obj)})`,
        unit,
      );
    }
    if (typeof t !== 'string')
      throw new DatasetError(where, pos, `text field "${columns.text}" is ${typeof t}, not a string`, unit);
    if (columns.lookedForPair !== undefined) {
      const p = columns.pair === undefined ? undefined : obj[columns.pair];
      if (p === undefined || p === null) {
        throw new DatasetError(
          where,
          pos,
          `missing text pair field "${columns.lookedForPair}" (record has ${keys(obj)})`,
          unit,
        );
      }
      if (typeof p !== 'string')
        throw new DatasetError(where, pos, `text pair field "${columns.pair}" is ${typeof p}, not a string`, unit);
      (pairs ??= new Array(records.length))[i] = p;
    }
    const l = labelKey === undefined ? undefined : obj[labelKey];
    if (l === undefined || l === null) {
      const looked = options.labelField ?? LABEL_FIELD_CANDIDATES.join(', ');
      throw new DatasetError(where, pos, `missing label field (looked for ${looked}; record has ${keys(obj)})`, unit);
    }
    texts[i] = t;
    raw[i] = l;
  }
  const { labels, labelNames } = resolveLabels(raw, where, (i) => records[i]!.pos, unit, options.labelNames);
  return datasetOf(texts, pairs, labels, labelNames, where);
}

function keys(obj: Record<string, unknown>): string {
  const k = Object.keys(obj);
  return k.length === 0 ? 'no fields' : k.join(', ');
}

function preview(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
