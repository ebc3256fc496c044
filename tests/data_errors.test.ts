// Bad input: every error names the file and, where there is one, the line.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DatasetError, loadDataset, parseDelimited, parseJsonl } from '../src/data/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'webtune-data-err-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('bad dataset input', () => {
  test('invalid UTF-8: file and line', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"text": "ok", "label": 0}\n{"text": "b'),
      0xff,
      ...new TextEncoder().encode('d", "label": 1}\n'),
    ]);
    const p = file('bad-utf8.jsonl', bytes);
    await expect(loadDataset(p)).rejects.toThrow(`${p}: invalid UTF-8 at line 2`);
  });

  test('invalid UTF-8 inside an aclImdb review file names that file', async () => {
    file('acl/train/neg/0_1.txt', 'fine');
    const bad = file('acl/train/pos/0_9.txt', new Uint8Array([0x61, 0x0a, 0xc3, 0x28]));
    await expect(loadDataset(join(tmp, 'acl'))).rejects.toThrow(`${bad}: invalid UTF-8 at line 2`);
  });

  test('a line that is not JSON', async () => {
    const p = file('notjson.jsonl', '{"text": "a", "label": 0}\n\n{"text": "b", label: 1}\n');
    const err = await errorOf(loadDataset(p));
    expect(err).toBeInstanceOf(DatasetError);
    expect(err.message).toMatch(new RegExp(`^${escape(p)} \\(line 3\\): not valid JSON`));
    expect((err as DatasetError).line).toBe(3);
    expect((err as DatasetError).file).toBe(p);
  });

  test('a JSON line that is not an object', () => {
    expect(() => parseJsonl('{"text": "a", "label": 0}\n[1, 2]\n', 'f.jsonl')).toThrow(
      'f.jsonl (line 2): expected a JSON object',
    );
  });

  test('a missing text field', () => {
    expect(() => parseJsonl('{"text": "a", "label": 0}\n{"txt": "b", "label": 1}\n', 'f.jsonl')).toThrow(
      'f.jsonl (line 2): missing text field (looked for text, sentence, review, content; record has txt, label)',
    );
    expect(() => parseJsonl('{"body": "a", "label": 0}\n', 'g.jsonl', { textField: 'review' })).toThrow(
      'g.jsonl (line 1): missing text field (looked for review; record has body, label)',
    );
  });

  test('a missing label field', () => {
    expect(() => parseJsonl('{"text": "a"}\n', 'f.jsonl')).toThrow('f.jsonl (line 1): missing label field');
  });

  test('a label outside the label set, a non-integer label, an unknown name', () => {
    const names = { labelNames: ['neg', 'pos'] };
    expect(() => parseJsonl('{"text": "a", "label": 0}\n{"text": "b", "label": 2}\n', 'f.jsonl', names)).toThrow(
      'f.jsonl (line 2): label 2 is outside the label set (ids 0..1: "neg", "pos")',
    );
    expect(() => parseJsonl('{"text": "a", "label": 1.5}\n', 'f.jsonl')).toThrow(
      'f.jsonl (line 1): label 1.5 is not an integer class id',
    );
    expect(() => parseJsonl('{"text": "a", "label": -1}\n', 'f.jsonl')).toThrow(
      'f.jsonl (line 1): label -1 is not a class id',
    );
    expect(() => parseJsonl('{"text": "a", "label": "meh"}\n', 'f.jsonl', names)).toThrow(
      'f.jsonl (line 1): label "meh" is not in the label set ("neg", "pos")',
    );
    expect(() => parseJsonl('{"text": "a", "label": 1}\n{"text": "b", "label": "pos"}\n', 'f.jsonl')).toThrow(
      /f\.jsonl \(line 1\): label 1 is a number but f\.jsonl also has named labels/,
    );
  });

  test('an empty file (and a header-only CSV)', async () => {
    await expect(loadDataset(file('empty.jsonl', ''))).rejects.toThrow(
      `${join(tmp, 'empty.jsonl')}: empty file: no examples`,
    );
    await expect(loadDataset(file('blank.jsonl', '\n\n  \n'))).rejects.toThrow('empty file: no examples');
    await expect(loadDataset(file('empty.csv', ''))).rejects.toThrow('empty file: no header and no examples');
    await expect(loadDataset(file('header.tsv', 'sentence\tlabel\n'))).rejects.toThrow('no examples after the header');
  });

  test('a CSV missing the text or label column in its header', async () => {
    const p = file('nolabel.csv', 'text,score\nfine,1\n');
    await expect(loadDataset(p)).rejects.toThrow(
      `${p} (line 1): header has no label column (looked for label, labels, sentiment; header is "text", "score")`,
    );
    expect(() => parseDelimited('body\tlabel\nx\t1\n', 'f.tsv', { delimiter: '\t', quoted: false })).toThrow(
      'f.tsv (line 1): header has no text column (looked for text, sentence, review, content; header is "body", "label")',
    );
  });

  test('CSV rows with the wrong field count, unclosed quotes, junk after a quote', () => {
    const csv = { delimiter: ',', quoted: true };
    expect(() => parseDelimited('text,label\na,1\nb\n', 'f.csv', csv)).toThrow(
      'f.csv (line 3): expected 2 fields as in the header, found 1',
    );
    expect(() => parseDelimited('text,label\n"a,1\n', 'f.csv', csv)).toThrow(
      'f.csv (line 2): a quoted field is never closed',
    );
    expect(() => parseDelimited('text,label\n"a"x,1\n', 'f.csv', csv)).toThrow(
      'f.csv (line 2): unexpected "x" after a closing quote',
    );
  });

  test('unknown extension, missing split', async () => {
    await expect(loadDataset(file('data.txt', 'x'))).rejects.toThrow('cannot tell the format from the extension');
    mkdirSync(join(tmp, 'nosplit'), { recursive: true });
    await expect(loadDataset(join(tmp, 'nosplit'), { split: 'test' })).rejects.toThrow(/no "test" split found/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
