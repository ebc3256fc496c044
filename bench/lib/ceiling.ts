// The copy-bandwidth ceilings: y[i] = x[i] over a buffer large enough to leave every cache, as a plain vec4 copy (one
// vec4 per lane: the issue's reference ceiling) and with 4 vec4s per lane, the layout of our elementwise kernels
// (on a software adapter the per-invocation cost is amortised, so this copy is faster: the honest upper bound).
import * as wt from '../../src/index.js';
import type { Case } from './kernel_cases.js';

const copyWgsl = (perLane: number): string => /* wgsl */ `
// copy_vec4: y[i] = x[i] over n vec4s, ${perLane} per lane (lane li: base + li + 256·k). Bindings: 0 x (read);
// 1 y (read_write); 2 uniforms {n}. Workgroups of 256.
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = (wg.y * nwg.x + wg.x) * ${256 * perLane}u + li;
  for (var k = 0u; k < ${perLane}u; k++) {
    let i = base + k * 256u;
    if (i < p.n) { y[i] = x[i]; }
  }
}`;

const COPY = wt.defineKernel({
  name: 'bench_copy',
  source: (p: { perLane: number }) => copyWgsl(p.perLane),
  label: (p) => (p.perLane > 1 ? `bench_copy_vec4x${p.perLane}` : 'bench_copy_vec4'),
  bindings: { x: 'read', y: 'read_write' },
  uniforms: { n: 'u32' },
});

/** A copy of `floats` (rounded up to vec4s), `perLane` vec4s per lane (1: the plain copy). */
export function copyCase(floats: number, perLane = 1): Case {
  const n4 = Math.ceil(floats / 4);
  return {
    name: `copy vec4${perLane > 1 ? ` ×${perLane} per lane` : ''} ${((n4 * 16) / 2 ** 20).toFixed(0)} MiB`,
    kind: 'memory',
    work: 2 * 16 * n4,
    setup() {
      const x = wt.full([n4 * 4], 1).keep();
      const y = wt.zeros([n4 * 4]).keep();
      const rt = wt.runtime();
      const groups = Math.ceil(n4 / (256 * perLane));
      const maxX = rt.limits.maxComputeWorkgroupsPerDimension;
      const gy = Math.ceil(groups / maxX);
      const grid: [number, number] = [Math.ceil(groups / gy), gy];
      return {
        run: () => {
          rt.dispatch(COPY, {
            params: { perLane },
            bindings: { x: x.binding, y: y.binding },
            uniforms: { n: n4 },
            grid,
          });
          return [];
        },
        dispose: () => {
          x.dispose();
          y.dispose();
        },
      };
    },
  };
}
