// The copy-bandwidth ceiling: a plain vec4 copy, y[i] = x[i], over a buffer large enough to leave every cache.
import * as wt from '../../src/index.js';
import type { Case } from './kernel_cases.js';

const COPY_WGSL = /* wgsl */ `
// copy_vec4: y[i] = x[i] over n vec4s. Bindings: 0 x (read); 1 y (read_write); 2 uniforms {n}. Workgroups of 256.
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i < p.n) { y[i] = x[i]; }
}`;

export function copyCase(floats: number): Case {
  const n4 = Math.ceil(floats / 4);
  return {
    name: `copy vec4 ${((n4 * 16) / 2 ** 20).toFixed(0)} MiB`, kind: 'memory', work: 2 * 16 * n4,
    setup() {
      const x = wt.full([n4 * 4], 1).keep();
      const y = wt.zeros([n4 * 4]).keep();
      const rt = wt.runtime();
      const groups = Math.ceil(n4 / 256);
      const maxX = rt.limits.maxComputeWorkgroupsPerDimension;
      const gy = Math.ceil(groups / maxX);
      const grid: [number, number] = [Math.ceil(groups / gy), gy];
      const kernel = { name: 'bench_copy_vec4', code: COPY_WGSL };
      return {
        run: () => {
          rt.dispatch(kernel, [x.binding, y.binding], new wt.Uniforms().u32(n4).buffer, grid);
          return [];
        },
        dispose: () => { x.dispose(); y.dispose(); },
      };
    },
  };
}
