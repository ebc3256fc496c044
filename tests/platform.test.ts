// One Platform (src/platform/platform.ts) holds what differs between Node and browsers: the GPU, waiting on it, file
// reading and writing, the default checkpoint store. This file imports no entry until its last test, so it sees the
// state before an entry runs, then each platform's behaviour, then that the Node entry sets Node's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultFileWriter, toFileSource } from '../src/io/files.js';
import { DirectoryFileSource } from '../src/io/files_node.js';
import { UrlFileSource } from '../src/io/files_browser.js';
import { HubFileSource } from '../src/io/hub_browser.js';
import { currentPlatform, setPlatform } from '../src/platform/platform.js';
import { browserPlatform } from '../src/platform/platform_browser.js';
import { nodePlatform } from '../src/platform/platform_node.js';
import { init } from '../src/runtime/device.js';
import { BROWSER_ADAPTER_HINT, NoAdapterError } from '../src/runtime/errors.js';
import { defaultCheckpointStore, MemoryCheckpointStore } from '../src/train/checkpoint_store.js';
import { NodeCheckpointStore } from '../src/train/checkpoint_store_node.js';

describe('platform', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webtune-platform-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without an entry, each platform need is a clear error naming what to import or pass', async () => {
    expect(currentPlatform()).toBeUndefined();
    expect(() => toFileSource(dir)).toThrow(/no file source is registered\. Import webtune from its Node entry/);
    expect(() => defaultCheckpointStore(dir)).toThrow(/no checkpoint store is registered here .*Pass `store`/);
    expect(() => defaultFileWriter()).toThrow(/no file writer is registered .*model\.saveFiles\(\)/);
    const err = await init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoAdapterError);
    expect((err as Error).message).toMatch(/no WebGPU implementation is registered for this environment/);
  });

  it('setPlatform refuses what is not a platform, naming the missing parts', () => {
    expect(() => setPlatform(null as never)).toThrow(
      /setPlatform: expected a Platform \(with gpu, waitGPU, openFiles\), got null/,
    );
    expect(() => setPlatform({ gpu: async () => undefined } as never)).toThrow(/got an object with gpu/);
    expect(currentPlatform()).toBeUndefined();
  });

  it('the browser platform opens Hub ids and URLs, and has no file writer or default checkpoint store', async () => {
    setPlatform(browserPlatform);
    expect(currentPlatform()).toBe(browserPlatform);
    const hub = toFileSource('distilbert/distilbert-base-uncased', { revision: 'v1' });
    expect(hub).toBeInstanceOf(HubFileSource);
    expect((hub as HubFileSource).revision).toBe('v1');
    const url = toFileSource('https://example.org/model/');
    expect(url).toBeInstanceOf(UrlFileSource);
    expect(url.describe('config.json')).toBe('https://example.org/model/config.json');
    expect(() => defaultFileWriter()).toThrow(/no file writer is registered in this environment \(browser\)/);
    expect(() => defaultCheckpointStore(dir)).toThrow(/no checkpoint store is registered here \(browser\?\)/);
    // Node has no navigator.gpu: the runtime says so with the browser's advice.
    const err = await init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoAdapterError);
    expect((err as Error).message).toContain('navigator.gpu is not available');
    expect((err as Error).message).toContain(BROWSER_ADAPTER_HINT);
    await expect(browserPlatform.waitGPU(Promise.resolve(7))).resolves.toBe(7);
  });

  it('the Node platform reads directories, writes model files and checkpoints on disk', async () => {
    setPlatform(nodePlatform);
    const source = toFileSource(dir);
    expect(source).toBeInstanceOf(DirectoryFileSource);
    await defaultFileWriter()(join(dir, 'model'), new Map([['config.json', new TextEncoder().encode('{"a":1}')]]));
    expect(readFileSync(join(dir, 'model', 'config.json'), 'utf8')).toBe('{"a":1}');
    expect(await toFileSource(join(dir, 'model')).readText('config.json')).toBe('{"a":1}');
    const store = defaultCheckpointStore(join(dir, 'out'));
    expect(store).toBeInstanceOf(NodeCheckpointStore);
    await store.writeFolder('checkpoint-1', new Map([['x.bin', Uint8Array.of(1, 2, 3)]]));
    expect(await store.listFolders()).toEqual(['checkpoint-1']);
    await expect(nodePlatform.waitGPU(Promise.resolve('done'))).resolves.toBe('done');
  });

  it('a part can be replaced without touching the rest', () => {
    const asked: string[] = [];
    const memory = new MemoryCheckpointStore();
    setPlatform({ ...nodePlatform, checkpointStore: (out) => (asked.push(out), memory) });
    expect(defaultCheckpointStore('runs/a')).toBe(memory);
    expect(asked).toEqual(['runs/a']);
    expect(toFileSource(dir)).toBeInstanceOf(DirectoryFileSource);
  });

  it('the Node entry sets the Node platform', async () => {
    setPlatform(browserPlatform);
    await import('../src/index.js');
    expect(currentPlatform()).toBe(nodePlatform);
  });
});
