import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryFileSource } from '../src/io/files.js';
import {
  loadSafetensorsFromSource,
  parseSafetensors,
  serializeSafetensors,
  type SafetensorsWriteTensor,
} from '../src/io/safetensors.js';

const golden = (rel: string): string => fileURLToPath(new URL(`../../shared/golden/${rel}`, import.meta.url));
const readGolden = (rel: string): Uint8Array => new Uint8Array(readFileSync(golden(rel)));

/** Builds a file from a header object and raw data bytes; `pad` controls the header length (alignment). */
function buildFile(header: object, data: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function u16le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v, true));
  return out;
}

function reserialize(bytes: Uint8Array, name: string): Uint8Array {
  const file = parseSafetensors(bytes, name);
  const tensors: Record<string, SafetensorsWriteTensor> = {};
  for (const [k, t] of file.tensors) tensors[k] = { dtype: t.dtype as 'F32', shape: t.shape, data: t.data() };
  return serializeSafetensors(tensors, file.metadata ?? null);
}

describe('safetensors byte-exact round trip against files written by the real library', () => {
  for (const rel of [
    'tiny-distilbert/model.safetensors',
    'small-distilbert-realvocab/model.safetensors',
    'tiny-distilbert/forward.safetensors',
    'tiny-distilbert/adam_state_after_step1.safetensors',
    'tiny-distilbert-mlm/model.safetensors',
  ]) {
    it(rel, () => {
      const original = readGolden(rel);
      const again = reserialize(original, rel);
      expect(again.length).toBe(original.length);
      expect(Buffer.from(again).equals(Buffer.from(original))).toBe(true);
    });
  }

  it('reads the tiny model: 40 F32 tensors, HF names and [out, in] shapes, format pt', () => {
    const file = parseSafetensors(readGolden('tiny-distilbert/model.safetensors'), 'model.safetensors');
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.size).toBe(40);
    const q = file.tensors.get('distilbert.transformer.layer.0.attention.q_lin.weight')!;
    expect(q.dtype).toBe('F32');
    expect(q.shape).toEqual([32, 32]);
    expect(file.tensors.get('classifier.weight')!.shape).toEqual([2, 32]);
    // padding row of word embeddings is zero (HF _init_weights), a cheap check that offsets are right
    const word = file.tensors.get('distilbert.embeddings.word_embeddings.weight')!.data();
    expect(Array.from(word.subarray(0, 32)).every((v) => v === 0)).toBe(true);
    expect(Array.from(file.tensors.get('distilbert.embeddings.LayerNorm.weight')!.data()).every((v) => v === 1)).toBe(
      true,
    );
  });

  it('orders I64 before F32 before I32, then by name (the crate dtype order), and round-trips values', () => {
    const bytes = serializeSafetensors({
      b: { shape: [2], data: new Float32Array([1.5, -2]) },
      a: { dtype: 'I32', shape: [1], data: new Int32Array([7]) },
      z: { dtype: 'I64', shape: [3], data: new Int32Array([-1, 0, 2147483647]) },
      c: { shape: [], data: new Float32Array([3]) },
    });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(header).toBe(
      (
        '{"__metadata__":{"format":"pt"},"z":{"dtype":"I64","shape":[3],"data_offsets":[0,24]},' +
        '"b":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"c":{"dtype":"F32","shape":[],"data_offsets":[32,36]},' +
        '"a":{"dtype":"I32","shape":[1],"data_offsets":[36,40]}}'
      ).padEnd(headerLength, ' '),
    );
    const file = parseSafetensors(bytes, 'x.safetensors');
    expect(Array.from(file.tensors.get('z')!.data())).toEqual([-1, 0, 2147483647]);
    expect(file.tensors.get('z')!.data()).toBeInstanceOf(Int32Array);
    expect(Array.from(file.tensors.get('b')!.data())).toEqual([1.5, -2]);
    expect(Array.from(file.tensors.get('c')!.data())).toEqual([3]);
    expect(Array.from(file.tensors.get('a')!.data())).toEqual([7]);
  });

  it('matches the crate for an empty file with and without metadata', () => {
    expect(Array.from(serializeSafetensors({}, null))).toEqual([
      8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32,
    ]);
    const withMeta = serializeSafetensors({}, { framework: 'pt' });
    expect(new TextDecoder().decode(withMeta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('rejects data that does not match the shape', () => {
    expect(() => serializeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /tensor "w".*4 elements but data has 3/,
    );
    expect(() => serializeSafetensors({ w: { dtype: 'I32', shape: [1], data: new Float32Array(1) } })).toThrow(
      /tensor "w"/,
    );
  });
});

describe('safetensors dtype decoding', () => {
  it('upcasts F16 exactly: 1, -2.5, 65504, subnormals, -0, ±inf, NaN', () => {
    const bits = [0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const bytes = buildFile(
      { h: { dtype: 'F16', shape: [bits.length], data_offsets: [0, 2 * bits.length] } },
      u16le(bits),
      1,
    );
    const v = parseSafetensors(bytes, 'f16.safetensors').tensors.get('h')!.data();
    expect(v).toBeInstanceOf(Float32Array);
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(-2.5);
    expect(v[2]).toBe(65504);
    expect(v[3]).toBe(2 ** -24);
    expect(v[4]).toBe(1023 * 2 ** -24);
    expect(v[5]).toBe(2 ** -14);
    expect(Object.is(v[6], -0)).toBe(true);
    expect(v[7]).toBe(Infinity);
    expect(v[8]).toBe(-Infinity);
    expect(Number.isNaN(v[9])).toBe(true);
    expect(v[10]).toBe(0.333251953125); // 0x3555: (1 + 341/1024) · 2^-2
  });

  it('upcasts BF16 by widening the bits (pi → 3.140625), including subnormals', () => {
    const bits = [0x4049, 0x3f80, 0xc020, 0x0001, 0x8000, 0x7f80];
    const bytes = buildFile({ b: { dtype: 'BF16', shape: [2, 3], data_offsets: [0, 12] } }, u16le(bits), 3);
    const v = parseSafetensors(bytes, 'bf16.safetensors').tensors.get('b')!.data();
    expect(Array.from(v.subarray(0, 3))).toEqual([3.140625, 1, -2.5]);
    expect(v[3]).toBe(2 ** -133);
    expect(Object.is(v[4], -0)).toBe(true);
    expect(v[5]).toBe(Infinity);
  });

  it('reads F32 at an offset that is not 4-byte aligned in the buffer', () => {
    const values = new Float32Array([Math.PI, -1e-30, 123.5]);
    const raw = new Uint8Array(values.buffer);
    const file = buildFile({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, raw, 1); // header not a multiple of 4
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3); // and the file itself starts at byte 3 of its buffer
    const v = parseSafetensors(shifted.subarray(3), 'odd.safetensors').tensors.get('x')!.data();
    expect(Array.from(v)).toEqual(Array.from(values));
  });

  it('converts I64 to Int32Array and rejects values outside int32, naming file and tensor', () => {
    const raw = new Uint8Array(24);
    const view = new DataView(raw.buffer);
    [-5n, 2147483647n, -2147483648n].forEach((v, i) => view.setBigInt64(8 * i, v, true));
    const ok = parseSafetensors(
      buildFile({ ids: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } }, raw),
      'ids.safetensors',
    );
    expect(Array.from(ok.tensors.get('ids')!.data())).toEqual([-5, 2147483647, -2147483648]);
    view.setBigInt64(8, 2147483648n, true);
    const bad = parseSafetensors(
      buildFile({ ids: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } }, raw),
      'ids.safetensors',
    );
    expect(() => bad.tensors.get('ids')!.data()).toThrow(
      /ids\.safetensors: tensor "ids": element 1 = 2147483648 does not fit in int32/,
    );
  });

  it('reads I32 as is', () => {
    const raw = new Uint8Array(new Int32Array([-3, 9]).buffer);
    const f = parseSafetensors(
      buildFile({ l: { dtype: 'I32', shape: [2], data_offsets: [0, 8] } }, raw, 2),
      'l.safetensors',
    );
    expect(Array.from(f.tensors.get('l')!.data())).toEqual([-3, 9]);
  });
});

describe('safetensors validation errors name the file and the tensor', () => {
  const tiny = (): Uint8Array => readGolden('tiny-distilbert/model.safetensors');
  const f32 = (n: number): Uint8Array => new Uint8Array(4 * n);

  it('file shorter than 8 bytes', () => {
    expect(() => parseSafetensors(new Uint8Array(5), 'short.safetensors')).toThrow(
      /short\.safetensors: .*5 bytes is shorter than/,
    );
  });

  it('header length past the end of the file', () => {
    const bytes = tiny().slice(0, 100);
    expect(() => parseSafetensors(bytes, 'cut.safetensors')).toThrow(
      'cut.safetensors: header length 4424 exceeds file size 100',
    );
  });

  it('truncated data region names the last tensor', () => {
    const bytes = tiny();
    expect(() => parseSafetensors(bytes.slice(0, bytes.length - 10), 'cut.safetensors')).toThrow(
      /cut\.safetensors: tensor "pre_classifier\.weight": data_offsets \[208264, 212360\] run past the end of the data region \(212350 bytes\)/,
    );
  });

  it('trailing bytes not covered by tensors', () => {
    const bytes = tiny();
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => parseSafetensors(longer, 'long.safetensors')).toThrow(
      /long\.safetensors: data region is \d+ bytes but the tensors cover only/,
    );
  });

  it('invalid JSON header', () => {
    const json = new TextEncoder().encode('{"a": {"dtype": "F32",');
    const bytes = new Uint8Array(8 + json.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    expect(() => parseSafetensors(bytes, 'bad.safetensors')).toThrow(
      /bad\.safetensors: invalid JSON in safetensors header/,
    );
  });

  it('unknown dtype', () => {
    const b = buildFile({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16));
    expect(() => parseSafetensors(b, 'u.safetensors')).toThrow('u.safetensors: tensor "w": unknown dtype "F128"');
  });

  it('shape × dtype size different from the byte span', () => {
    const b = buildFile({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, f32(5));
    expect(() => parseSafetensors(b, 's.safetensors')).toThrow(
      's.safetensors: tensor "w": shape [2, 3] × F32 needs 24 bytes but data_offsets [0, 20] span 20',
    );
  });

  it('overlapping offsets', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expect(() => parseSafetensors(buildFile(header, f32(3)), 'o.safetensors')).toThrow(
      'o.safetensors: tensor "b": data_offsets [4, 12] overlap tensor "a", which ends at 8',
    );
  });

  it('a gap between tensors', () => {
    const header = {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    };
    expect(() => parseSafetensors(buildFile(header, f32(3)), 'g.safetensors')).toThrow(
      /g\.safetensors: tensor "b": data_offsets \[8, 12\] leave a gap: tensor "a" ends at 4/,
    );
  });

  it('negative and non-integer dimensions', () => {
    const neg = buildFile({ w: { dtype: 'F32', shape: [-1, 2], data_offsets: [0, 0] } }, new Uint8Array(0));
    expect(() => parseSafetensors(neg, 'n.safetensors')).toThrow(
      /n\.safetensors: tensor "w": shape \[-1,2\] has a dimension/,
    );
    const frac = buildFile({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } }, new Uint8Array(6));
    expect(() => parseSafetensors(frac, 'n.safetensors')).toThrow(/tensor "w": shape \[1\.5\]/);
  });

  it('offsets that are not two non-negative integers, and a header not starting with {', () => {
    const b = buildFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32(1));
    expect(() => parseSafetensors(b, 'x.safetensors')).toThrow(/tensor "w": data_offsets must be two/);
    const arr = new TextEncoder().encode('[1]     ');
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 8n, true);
    bytes.set(arr, 8);
    expect(() => parseSafetensors(bytes, 'x.safetensors')).toThrow(
      /x\.safetensors: invalid safetensors header: it must start with '\{'/,
    );
  });
});

describe('loading a model directory from a FileSource', () => {
  const model = readGolden('tiny-distilbert/model.safetensors');
  const parsed = parseSafetensors(model, 'model.safetensors');

  function shard(names: string[]): Uint8Array {
    const tensors: Record<string, SafetensorsWriteTensor> = {};
    for (const n of names) {
      const t = parsed.tensors.get(n)!;
      tensors[n] = { shape: t.shape, data: t.data() };
    }
    return serializeSafetensors(tensors);
  }

  function shardedFiles(): Map<string, Uint8Array> {
    const names = [...parsed.tensors.keys()];
    const first = names.slice(0, 15);
    const second = names.slice(15);
    const weightMap: Record<string, string> = {};
    for (const n of first) weightMap[n] = 'model-00001-of-00002.safetensors';
    for (const n of second) weightMap[n] = 'model-00002-of-00002.safetensors';
    const index = { metadata: { total_size: 212360 }, weight_map: weightMap };
    return new Map([
      ['model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index))],
      ['model-00001-of-00002.safetensors', shard(first)],
      ['model-00002-of-00002.safetensors', shard(second)],
    ]);
  }

  it('reads a single model.safetensors', async () => {
    const tensors = await loadSafetensorsFromSource(new MemoryFileSource(new Map([['model.safetensors', model]])));
    expect(tensors.size).toBe(40);
  });

  it('merges shards listed in model.safetensors.index.json', async () => {
    const tensors = await loadSafetensorsFromSource(new MemoryFileSource(shardedFiles(), 'dir'));
    expect([...tensors.keys()].sort()).toEqual([...parsed.tensors.keys()].sort());
    for (const [name, t] of parsed.tensors) {
      expect(tensors.get(name)!.shape).toEqual(t.shape);
      expect(Array.from(tensors.get(name)!.data())).toEqual(Array.from(t.data()));
    }
  });

  it('names the index file when a shard is missing', async () => {
    const files = shardedFiles();
    files.delete('model-00002-of-00002.safetensors');
    await expect(loadSafetensorsFromSource(new MemoryFileSource(files, 'dir'))).rejects.toThrow(
      'dir/model.safetensors.index.json: shard "model-00002-of-00002.safetensors" listed in weight_map is missing',
    );
  });

  it('names the index file when a tensor is stored in two shards', async () => {
    const files = shardedFiles();
    files.set('model-00002-of-00002.safetensors', shard([...parsed.tensors.keys()].slice(14)));
    await expect(loadSafetensorsFromSource(new MemoryFileSource(files, 'dir'))).rejects.toThrow(
      /dir\/model\.safetensors\.index\.json: tensor ".*" is stored twice, in shards "model-00001-of-00002\.safetensors" and "model-00002-of-00002\.safetensors"/,
    );
  });

  it('names the index file when weight_map points at the wrong shard', async () => {
    const files = shardedFiles();
    const index = JSON.parse(new TextDecoder().decode(files.get('model.safetensors.index.json')));
    index.weight_map['classifier.bias'] = 'model-00002-of-00002.safetensors';
    files.set('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index)));
    await expect(loadSafetensorsFromSource(new MemoryFileSource(files, 'dir'))).rejects.toThrow(
      /index\.json: weight_map puts tensor "classifier\.bias" in shard "model-00002-of-00002\.safetensors", but it is in "model-00001/,
    );
  });

  it('says which files it looked for when there are no weights', async () => {
    await expect(loadSafetensorsFromSource(new MemoryFileSource(new Map(), 'dir'))).rejects.toThrow(
      /dir\/model\.safetensors: no weights found/,
    );
  });
});
