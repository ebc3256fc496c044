// The device profile and settings (src/runtime/profile.ts, settings.ts): defaults filled from the adapter, scoped
// overrides restored after sync and async functions (and on throw), process-wide ones, environment variables, bad
// values named; and ops reading them (LayerNorm's held rows, the matmul default, attention's path).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { defaultSettings } from '../src/runtime/profile.js';
import { envName } from '../src/runtime/settings.js';

beforeAll(async () => {
  await gpu();
});
afterEach(() => wt.configure({ attentionKernel: undefined, softmaxRows: undefined }));

describe('the device profile', () => {
  it('is read from the adapter: software or not, subgroup sizes where the feature is on, texture reads', () => {
    const rt = wt.runtime();
    const p = rt.profile;
    expect(p.software).toBe(rt.info.isSoftware);
    const subgroups = rt.features.has('subgroups');
    expect(p.subgroupMinSize).toBe(subgroups ? rt.info.subgroupMinSize : 0);
    expect(p.subgroupMaxSize).toBe(subgroups ? rt.info.subgroupMaxSize : 0);
    expect(p.textureReads).toBe(rt.textures !== undefined);
  });

  it('gives the settings their defaults, and software adapters other choices than GPUs', () => {
    const rt = wt.runtime();
    expect(wt.settings()).toEqual(defaultSettings(rt.profile, rt.limits.maxStorageBufferBindingSize));
    const base = { subgroupMinSize: 8, subgroupMaxSize: 8, textureReads: true };
    const sw = defaultSettings({ ...base, software: true }, 1 << 27);
    const hw = defaultSettings({ ...base, software: false }, 1 << 27);
    const differing = (Object.keys(sw) as (keyof wt.Settings)[]).filter(
      (k) => JSON.stringify(sw[k]) !== JSON.stringify(hw[k]),
    );
    // Every choice the issue lists as adapter-dependent.
    expect(differing.sort()).toEqual([
      'attentionChunkedMax',
      'attentionKernel',
      'flashKernel',
      'flashRows',
      'flashWorkgroup',
      'layerNormHeldCap',
      'layerNormRows',
      'matmulDefaultRule',
      'matmulMatrixUnits',
      'matmulOperandReads',
      'matmulPreferred',
      'softmaxRows',
    ]);
    // GPUs: fused attention at every length with workgroup-memory tiles, tiled matmuls first, matrix units for f16.
    expect([hw.attentionKernel, hw.flashKernel, hw.matmulMatrixUnits, hw.matmulPreferred[0]]).toEqual([
      'fused',
      'tiled',
      true,
      'tiled_m128n128k8t8x8',
    ]);
    expect([sw.attentionKernel, sw.flashKernel, sw.matmulMatrixUnits]).toEqual(['auto', 'lanes', false]);
    expect(sw.attentionChunkBytes).toBe(1 << 27);
    // Without WGSL's storage-texture reads, even a software adapter reads buffers.
    expect(defaultSettings({ ...base, software: true, textureReads: false }, 1).matmulOperandReads).toBe('buffer');
  });
});

describe('withSettings', () => {
  it('overrides for the duration of a sync function, nested scopes innermost first, and restores', () => {
    const before = wt.settings().softmaxRows;
    const seen = wt.withSettings({ softmaxRows: 3 }, () => {
      const inner = wt.withSettings({ softmaxRows: 5, attentionKernel: 'fused' }, () => [
        wt.settings().softmaxRows,
        wt.settings().attentionKernel,
      ]);
      return [...inner, wt.settings().softmaxRows, wt.settings().attentionKernel];
    });
    expect(seen).toEqual([5, 'fused', 3, 'auto']);
    expect(wt.settings().softmaxRows).toBe(before);
  });

  it('restores after an async function settles, and after a throw or a rejection', async () => {
    const before = wt.settings().layerNormRows;
    const p = wt.withSettings({ layerNormRows: 7 }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return wt.settings().layerNormRows;
    });
    expect(wt.settings().layerNormRows).toBe(7); // still in force while the function runs
    expect(await p).toBe(7);
    expect(wt.settings().layerNormRows).toBe(before);
    expect(() =>
      wt.withSettings({ layerNormRows: 9 }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(wt.settings().layerNormRows).toBe(before);
    await expect(
      wt.withSettings({ layerNormRows: 9 }, async () => {
        throw new Error('later');
      }),
    ).rejects.toThrow('later');
    expect(wt.settings().layerNormRows).toBe(before);
  });

  it('rejects unknown settings and bad values, naming them, before running anything', () => {
    let ran = false;
    const run = (): void => void (ran = true);
    expect(() => wt.withSettings({ attentionKernal: 'fused' } as never, run)).toThrow(
      /withSettings: unknown setting "attentionKernal"/,
    );
    expect(() => wt.withSettings({ softmaxRows: 0 }, run)).toThrow(/softmaxRows must be an integer ≥ 1, got 0/);
    expect(() => wt.withSettings({ matmulOperandReads: 'textures' as never }, run)).toThrow(
      /matmulOperandReads must be 'texture' or 'buffer', got "textures"/,
    );
    expect(() => wt.withSettings({ matmulKernel: 'plain r4c8' }, run)).toThrow(
      /matmulKernel must be a kernel choice id/,
    );
    expect(ran).toBe(false);
  });
});

describe('configure', () => {
  it('overrides for the rest of the process under any scope; undefined returns a setting to the profile', () => {
    wt.configure({ attentionKernel: 'unfused' });
    expect(wt.settings().attentionKernel).toBe('unfused');
    expect(wt.withSettings({ attentionKernel: 'fused' }, () => wt.settings().attentionKernel)).toBe('fused');
    expect(wt.settings().attentionKernel).toBe('unfused');
    wt.configure({ attentionKernel: undefined });
    expect(wt.settings().attentionKernel).toBe('auto');
    expect(() => wt.configure({ attentionKernel: 'flash' as never })).toThrow(
      /configure: attentionKernel must be 'auto' or 'fused' or 'unfused', got "flash"/,
    );
  });
});

describe('settingsFromEnv', () => {
  it('reads WEBTUNE_<SETTING> variables by kind, ignoring others; auto or empty leaves the default', () => {
    expect(envName('layerNormHeldCap')).toBe('WEBTUNE_LAYER_NORM_HELD_CAP');
    const env = {
      WEBTUNE_ATTENTION_KERNEL: 'fused',
      WEBTUNE_LAYER_NORM_HELD_CAP: '12',
      WEBTUNE_AUTOTUNE_MIN_MS: '1500.5',
      WEBTUNE_MATMUL_PREFERRED: 'plain_r4c8, subgroup_r2c16',
      WEBTUNE_MATMUL_OPERAND_READS: 'auto',
      WEBTUNE_SOFTMAX_ROWS: '',
      WEBTUNE_MATMUL_MATRIX_UNITS: '0',
      WEBTUNE_FLASH_KERNEL: 'tiled',
      WEBTUNE_DEBUG: '1',
      HOME: '/root',
    };
    expect(wt.settingsFromEnv(env)).toEqual({
      attentionKernel: 'fused',
      layerNormHeldCap: 12,
      autotuneMinMs: 1500.5,
      matmulPreferred: ['plain_r4c8', 'subgroup_r2c16'],
      matmulMatrixUnits: false,
      flashKernel: 'tiled',
    });
  });

  it('a bad value names the variable and what it takes', () => {
    expect(() => wt.settingsFromEnv({ WEBTUNE_LAYER_NORM_HELD_CAP: 'lots' })).toThrow(
      /WEBTUNE_LAYER_NORM_HELD_CAP=lots: expected an integer ≥ 1/,
    );
    expect(() => wt.settingsFromEnv({ WEBTUNE_MATMUL_MATRIX_UNITS: 'yes' })).toThrow(
      /WEBTUNE_MATMUL_MATRIX_UNITS=yes: expected true or false \(1 or 0\)/,
    );
    expect(() => wt.settingsFromEnv({ WEBTUNE_ATTENTION_KERNEL: 'flash' })).toThrow(
      /WEBTUNE_ATTENTION_KERNEL=flash: expected 'auto' or 'fused' or 'unfused'/,
    );
  });
});

describe('ops read the settings', () => {
  it("LayerNorm's held-row shape: the cap (rest streamed) and rows per workgroup", () => {
    const lanes = wt.subgroupRowSize(768); // 0 without a fixed subgroup size: no held-row kernels at all
    expect(wt.withSettings({ layerNormHeldCap: 2, layerNormRows: 5 }, () => wt.layerNormRowShape(768))).toEqual(
      lanes ? { lanes, held: 2, rows: 5, tail: 768 / 4 / lanes > 2 } : null,
    );
  });

  it('the untuned matmul choice follows the preference list and rule', async () => {
    const layout = { a: 'row', b: 'nt', vecA: true, vecB: true } as const;
    expect(
      wt.withSettings({ matmulPreferred: ['plain_r4c8'], matmulDefaultRule: 'span' }, () =>
        wt.untunedMatmulChoice(layout, 2048),
      ),
    ).toBe('plain_r4c8');
    // A forced kernel reaches the op: the generic kernel runs (its name in the profiler), and the result is right.
    const names: string[] = [];
    const rt = wt.runtime();
    rt.profiler = { onDispatch: (n) => void names.push(n) };
    try {
      const forced = await wt.withSettings({ matmulKernel: 'strided' }, () =>
        wt.tidyAsync(() => wt.matmul(wt.ones([5, 3]), wt.full([3, 2], 2)).array()),
      );
      expect(forced).toEqual(Array(10).fill(6));
      wt.tidy(() => void wt.matmul(wt.ones([5, 4]), wt.ones([4, 8])));
    } finally {
      rt.profiler = undefined;
    }
    const products = names.filter((n) => n.startsWith('matmul'));
    expect(products[0]).toBe('matmul');
    expect(products[1]).toMatch(/^matmul_fast_/);
    expect(products.length).toBe(2);
  });

  it("attention's path and flash geometry", () => {
    expect(wt.withSettings({ attentionKernel: 'fused' }, () => wt.attentionKernelFor(64))).toBe('fused');
    expect(
      wt.withSettings({ flashWorkgroup: 32, flashRows: 4 }, () => [wt.flashGeometry(64), wt.flashGeometry(128)]),
    ).toEqual([
      { wg: 32, rows: 4 },
      { wg: 32, rows: 2 },
    ]);
    expect(wt.withSettings({ flashRows: 1 }, () => wt.flashGeometry(128).rows)).toBe(1);
  });
});
