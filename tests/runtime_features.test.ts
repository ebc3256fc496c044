// The optional features the runtime requests (shader-f16, subgroups, Dawn's subgroup matrices), what RuntimeInfo and
// the device profile record of them, and the Dawn toggles Node gives a hardware adapter (none for lavapipe).
import { describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { itNeeds, lacksFeature } from './helpers/needs.js';
import { HARDWARE_TOGGLES, withEnabledToggles } from '../src/runtime/node_gpu.js';

const rt = await gpu();
const NO_SUBGROUP_MATRIX = await lacksFeature('chromium-experimental-subgroup-matrix');

describe('adapter features', () => {
  it('requests shader-f16 and subgroups where the adapter has them, and records them', () => {
    expect(rt.profile.shaderF16).toBe(rt.features.has('shader-f16'));
    // lavapipe (CI) has both: they must have been requested.
    if (rt.info.isSoftware) expect(rt.info.features).toEqual(expect.arrayContaining(['shader-f16', 'subgroups']));
  });

  it('records subgroup-matrix configurations only where the feature is enabled; the profile keeps the f16→f32 ones', () => {
    const configs = rt.info.subgroupMatrixConfigs;
    expect(Array.isArray(configs)).toBe(true);
    if (!rt.features.has('chromium-experimental-subgroup-matrix')) expect(configs).toEqual([]);
    const f16 = configs.filter((c) => c.componentType === 'f16' && c.resultComponentType === 'f32');
    expect(rt.profile.subgroupMatrixF16).toEqual(rt.features.has('shader-f16') ? f16 : []);
  });

  itNeeds(NO_SUBGROUP_MATRIX, 'an adapter with subgroup matrices reports at least one configuration', () => {
    expect(rt.info.subgroupMatrixConfigs.length).toBeGreaterThan(0);
    for (const c of rt.info.subgroupMatrixConfigs) expect(c.M * c.N * c.K).toBeGreaterThan(0);
  });
});

describe('Dawn toggles for hardware adapters (Node)', () => {
  it('adds f16-on-NVIDIA, unsafe APIs and the Vulkan memory model to one enable-dawn-features flag', () => {
    expect(HARDWARE_TOGGLES).toEqual(['allow_unsafe_apis', 'vulkan_enable_f16_on_nvidia', 'use_vulkan_memory_model']);
    expect(withEnabledToggles(['disable-dawn-features=timestamp_quantization'], ['a', 'b'])).toEqual([
      'disable-dawn-features=timestamp_quantization',
      'enable-dawn-features=a,b',
    ]);
    // A user's own enable list is kept and merged (Dawn reads one value per flag name).
    expect(withEnabledToggles(['enable-dawn-features=x,a', 'verbose=1'], ['a', 'b'])).toEqual([
      'verbose=1',
      'enable-dawn-features=x,a,b',
    ]);
    expect(withEnabledToggles([], [])).toEqual([]);
  });
});
