// Loading and saving tokenizer files: byte-exact save_pretrained output, and clear errors on bad input.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { MemoryFileSource } from '../src/io/files.js';
import { BertTokenizer } from '../src/tokenizers/index.js';

const shared = (rel: string): string => fileURLToPath(new URL(`../../shared/${rel}`, import.meta.url));
const MODEL_DIR = shared('models/distilbert-base-uncased');
const SLOW_SAVE = shared('golden/small-distilbert-realvocab');
const FAST_SAVE = shared('golden/small-distilbert-realvocab/fast_tokenizer_save');

const utf8 = new TextEncoder();
const realVocab = readFileSync(`${MODEL_DIR}/vocab.txt`, 'utf8');
const realJson = readFileSync(`${MODEL_DIR}/tokenizer.json`, 'utf8');

function memory(files: Record<string, string | Uint8Array>, label = 'mem'): MemoryFileSource {
  return new MemoryFileSource(
    new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? utf8.encode(v) : v])),
    label,
  );
}

function expectFilesEqual(actual: Map<string, Uint8Array>, dir: string, names: string[]): void {
  expect([...actual.keys()].sort()).toEqual([...names].sort());
  for (const name of names) {
    const expected = readFileSync(`${dir}/${name}`, 'utf8');
    expect(new TextDecoder().decode(actual.get(name)), name).toBe(expected);
  }
}

/** A slow save: what DistilBertTokenizer.save_pretrained wrote, plus the fast tokenizer's tokenizer.json. */
function expectSlowSave(files: Map<string, Uint8Array>): void {
  expectFilesEqual(new Map([...files].filter(([n]) => n !== 'tokenizer.json')), SLOW_SAVE, [
    'vocab.txt',
    'tokenizer_config.json',
    'special_tokens_map.json',
  ]);
  expect(new TextDecoder().decode(files.get('tokenizer.json'))).toBe(
    readFileSync(`${FAST_SAVE}/tokenizer.json`, 'utf8'),
  );
}

describe('saveFiles matches save_pretrained', () => {
  it('slow (vocab.txt) tokenizer writes what DistilBertTokenizer.save_pretrained wrote, and the fast tokenizer.json', async () => {
    // tokenizer.json byte for byte as DistilBertTokenizerFast (converted from this vocab.txt) writes it, so tools that
    // read only tokenizer.json (transformers.js) load every directory we save.
    const tok = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'vocab' });
    expectSlowSave(tok.saveFiles());
  });

  it('fast (tokenizer.json) tokenizer writes what DistilBertTokenizerFast.save_pretrained wrote', async () => {
    const tok = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'tokenizer.json' });
    expectFilesEqual(tok.saveFiles(), FAST_SAVE, [
      'vocab.txt',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
    ]);
  });

  it('saved directories load back and save identically', async () => {
    const slow = await BertTokenizer.fromPretrained(SLOW_SAVE, { use: 'vocab' });
    expectSlowSave(slow.saveFiles());
    const fast = await BertTokenizer.fromPretrained(FAST_SAVE);
    expectFilesEqual(fast.saveFiles(), FAST_SAVE, [
      'vocab.txt',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
    ]);
  });

  it('a tokenizer rebuilt from its saved files encodes the same', async () => {
    const tok = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'vocab' });
    const copy = await BertTokenizer.fromPretrained(new MemoryFileSource(tok.saveFiles()), { use: 'vocab' });
    const text = 'Ünïcödé, CJK 中文 and [SEP] tokens!';
    expect(copy.encode(text)).toEqual(tok.encode(text));
    expect(copy.modelMaxLength).toBe(512);
    // Loaded from the written tokenizer.json (the default when present), as a fast tokenizer.
    const fast = await BertTokenizer.fromPretrained(new MemoryFileSource(tok.saveFiles()));
    expect(fast.flavour).toBe('rust');
    expect(fast.encode(text)).toEqual(tok.encode(text));
    expect(fast.modelMaxLength).toBe(512);
  });

  it('without model_max_length, truncation=true keeps everything (HF VERY_LARGE_INTEGER)', async () => {
    const tok = await BertTokenizer.fromPretrained(memory({ 'vocab.txt': realVocab }));
    expect(tok.modelMaxLength).toBe(Infinity);
    const long = 'word '.repeat(600);
    expect(tok.encode(long, { truncation: true }).inputIds.length).toBe(602);
    expect(tok.encode(long, { truncation: true, maxLength: 10 }).inputIds.length).toBe(10);
    // max_length alone turns truncation on (HF's default strategy), truncation=false turns it off.
    expect(tok.encode(long, { maxLength: 8 }).inputIds).toEqual([101, ...Array(6).fill(2773), 102]);
    expect(tok.encode(long, { maxLength: 8, truncation: false }).inputIds.length).toBe(602);
    const config = JSON.parse(new TextDecoder().decode(tok.saveFiles().get('tokenizer_config.json')));
    expect(new TextDecoder().decode(tok.saveFiles().get('tokenizer_config.json'))).toContain(
      '"model_max_length": 1000000000000000019884624838656',
    );
    expect(config.do_lower_case).toBe(true);
  });
});

describe('options', () => {
  it('fromVocab honours doLowerCase=false (cased) and modelMaxLength', () => {
    const tok = BertTokenizer.fromVocab(realVocab, { doLowerCase: false, modelMaxLength: 5 });
    expect(tok.tokenize('Hello')).not.toEqual(['hello']);
    expect(tok.tokenize('hello Café')).toEqual(['hello', '[UNK]']);
    expect(tok.encode('a b c d e f', { truncation: true }).inputIds).toEqual([101, 1037, 1038, 1039, 102]);
  });

  it('addSpecialTokens=false gives the bare pieces', () => {
    const tok = BertTokenizer.fromVocab(realVocab);
    expect(tok.encode('hello world', { addSpecialTokens: false }).inputIds).toEqual([7592, 2088]);
    expect(tok.encode('a b c', { addSpecialTokens: false, maxLength: 2 }).inputIds).toEqual([1037, 1038]);
  });

  it('rejects a maxLength that leaves no room for [CLS] and [SEP]', () => {
    const tok = BertTokenizer.fromVocab(realVocab);
    expect(() => tok.encode('hello', { maxLength: 1 })).toThrow(/no room/);
    expect(() => tok.encode('hello', { maxLength: 0 })).toThrow(/positive integer/);
    expect(tok.encode('hello', { maxLength: 2 }).inputIds).toEqual([101, 102]);
  });

  it('tokenizer_config.json do_lower_case=false overrides the tokenizer.json normalizer (BertTokenizerFast)', async () => {
    const tok = await BertTokenizer.fromPretrained(
      memory({ 'tokenizer.json': realJson, 'tokenizer_config.json': '{"do_lower_case": false}' }),
    );
    expect(tok.tokenize('Hello')).toEqual(['[UNK]']);
  });
});

describe('bad input is reported with the file, line or field', () => {
  const without = (token: string): string => realVocab.replace(`${token}\n`, `${token.toLowerCase()}x\n`);

  for (const token of ['[UNK]', '[CLS]', '[SEP]', '[PAD]']) {
    it(`vocab.txt without ${token}`, async () => {
      const src = memory({ 'vocab.txt': without(token) }, 'model-dir');
      await expect(BertTokenizer.fromPretrained(src)).rejects.toThrow(
        new RegExp(`model-dir/vocab\\.txt.*"\\${token.slice(0, -1)}\\]"`),
      );
    });
  }

  it('vocab.txt without [MASK] still loads (masking is optional)', () => {
    const tok = BertTokenizer.fromVocab(realVocab.replace('[MASK]\n', '[unused-mask]\n'));
    expect(tok.maskTokenId).toBeUndefined();
  });

  it('empty vocab.txt', async () => {
    await expect(BertTokenizer.fromPretrained(memory({ 'vocab.txt': '' }, 'd'))).rejects.toThrow(
      'd/vocab.txt: the vocabulary is empty',
    );
  });

  it('duplicate vocab entries: the later line wins, as in transformers load_vocab', () => {
    const tok = BertTokenizer.fromVocab('[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\nhello\n');
    expect(tok.encode('hello world').inputIds).toEqual([2, 6, 5, 3]);
    expect(tok.vocabSize).toBe(7);
    // The earlier line's id is unreachable; transformers decodes it as the unk token.
    expect(tok.decode([4, 5])).toBe('[UNK] world');
    // Converted to tokenizer.json, id 4 would be a hole that no loader can give an embedding row: not written.
    expect([...tok.saveFiles().keys()].sort()).toEqual([
      'special_tokens_map.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
  });

  it('vocab.txt with CRLF line ends (Python universal newlines)', () => {
    const tok = BertTokenizer.fromVocab('[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n');
    expect(tok.tokenize('Hello')).toEqual(['hello']);
  });

  it('invalid UTF-8 in vocab.txt names the line', async () => {
    const bytes = new Uint8Array([...utf8.encode('[PAD]\n[UNK]\n'), 0xff, 0xfe, 0x0a]);
    await expect(BertTokenizer.fromPretrained(memory({ 'vocab.txt': bytes }, 'd'))).rejects.toThrow(
      'd/vocab.txt: invalid UTF-8 at line 3',
    );
  });

  it('no tokenizer files at all', async () => {
    await expect(BertTokenizer.fromPretrained(memory({ 'config.json': '{}' }, 'd'))).rejects.toThrow(
      /neither tokenizer\.json nor vocab\.txt/,
    );
    await expect(
      BertTokenizer.fromPretrained(memory({ 'vocab.txt': realVocab }, 'd'), { use: 'tokenizer.json' }),
    ).rejects.toThrow('d/tokenizer.json: file not found');
  });

  const json = JSON.parse(realJson) as Record<string, any>;
  const variant = (edit: (j: Record<string, any>) => void): string => {
    const j = structuredClone(json);
    edit(j);
    return JSON.stringify(j);
  };
  const cases: Array<[string, string, RegExp]> = [
    ['JSON syntax error', realJson.slice(0, 500) + '}', /d\/tokenizer\.json: invalid JSON at line 1, column \d+/],
    ['non-WordPiece model', variant((j) => (j.model.type = 'BPE')), /field "model\.type" is "BPE"; only "WordPiece"/],
    ['BPE model without a type', variant((j) => (j.model.merges = [])), /field "model" looks like a BPE model/],
    ['vocab not an object', variant((j) => (j.model.vocab = [])), /field "model\.vocab" must be an object/],
    [
      'vocab id not an integer',
      variant((j) => (j.model.vocab.hello = 'x')),
      /field "model\.vocab\["hello"\]" must be a non-negative integer id/,
    ],
    [
      'vocab id reused',
      variant((j) => (j.model.vocab.hello = 0)),
      /field "model\.vocab\["hello"\]" reuses id 0 \(already "\[PAD\]"\)/,
    ],
    ['missing model', variant((j) => delete j.model), /field "model" must be an object/],
    ['unknown normalizer', variant((j) => (j.normalizer = { type: 'NFKC' })), /field "normalizer\.type" is "NFKC"/],
    [
      'bad normalizer flag',
      variant((j) => (j.normalizer.lowercase = 'yes')),
      /field "normalizer\.lowercase" must be true or false/,
    ],
    [
      'unknown pre-tokenizer',
      variant((j) => (j.pre_tokenizer = { type: 'Whitespace' })),
      /field "pre_tokenizer" must be \{"type": "BertPreTokenizer"\}/,
    ],
    [
      'added token id mismatch',
      variant((j) => (j.added_tokens[1].id = 5)),
      /field "added_tokens\[1\]" \("\[UNK\]", id 5\) does not match model\.vocab/,
    ],
    [
      'added token without content',
      variant((j) => delete j.added_tokens[0].content),
      /field "added_tokens\[0\]\.content" must be a non-empty string/,
    ],
    [
      'template with unknown special token',
      variant((j) => (j.post_processor.special_tokens['[CLS]'].ids = [999999])),
      /post_processor\.special_tokens\["\[CLS\]"\]\.ids/,
    ],
    [
      'unknown post-processor',
      variant((j) => (j.post_processor = { type: 'Sequence', processors: [] })),
      /field "post_processor\.type" is "Sequence"/,
    ],
    ['unknown decoder', variant((j) => (j.decoder = { type: 'ByteLevel' })), /field "decoder\.type" is "ByteLevel"/],
    [
      'unk token missing from vocab',
      variant((j) => (j.model.unk_token = '<unk>')),
      /the vocabulary has no unknown token "<unk>"/,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    it(`tokenizer.json: ${name}`, async () => {
      await expect(BertTokenizer.fromPretrained(memory({ 'tokenizer.json': text }, 'd'))).rejects.toThrow(pattern);
    });
  }

  it('tokenizer_config.json: bad model_max_length and bad JSON', async () => {
    const bad = memory({ 'vocab.txt': realVocab, 'tokenizer_config.json': '{"model_max_length": -3}' }, 'd');
    await expect(BertTokenizer.fromPretrained(bad)).rejects.toThrow(
      'd/tokenizer_config.json: field "model_max_length" must be a positive integer, got -3',
    );
    const broken = memory({ 'vocab.txt': realVocab, 'tokenizer_config.json': '{\n  "do_lower_case": tru\n}' }, 'd');
    await expect(BertTokenizer.fromPretrained(broken)).rejects.toThrow(
      /d\/tokenizer_config\.json: invalid JSON at line 2/,
    );
    const wrongType = memory({ 'vocab.txt': realVocab, 'tokenizer_config.json': '{"do_lower_case": "yes"}' }, 'd');
    await expect(BertTokenizer.fromPretrained(wrongType)).rejects.toThrow(
      'field "do_lower_case" must be true or false, got "yes"',
    );
  });
});
