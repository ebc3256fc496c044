// grad_scaler: the GPU side of torch.amp.GradScaler (dynamic loss scaling for float16 training), with nothing read
// back: the scale, the found-inf flag and the growth tracker live in GPU buffers.
//   unscale / unscale4: x *= 1 / scale[0] in place (a gradient tensor; unscale4 over vec4s, 4 per lane), and
//       found_inf = 1 where a result is ±Inf or NaN (tested on the bits: a compiler may assume floats are finite).
//   update: one invocation, torch's _amp_update_scale_: after a step with found_inf the scale is multiplied by
//       `backoff` and the tracker reset; else the tracker counts the step and at `interval` good steps the scale is
//       multiplied by `growth` (kept if finite) and the tracker reset. found_inf is cleared for the next step
//       (after the optimizer read it).
//   filter_loss: HF's logging_nan_inf_filter on the summed loss: sum += loss, or += sum / divisor where the loss
//       is not finite (divisor = 1 + steps since the last log).
// Bindings: 0 x (read_write, f32 [n]) / x4 (the same buffer as vec4 [n/4]); 1 scale (read_write, f32 [1]);
//   2 state (read_write, atomic u32 [2]: found_inf, growth_tracker); 3 loss (read, f32 [1]); 4 sum (read_write,
//   f32 [1]); 5 uniforms {n, growth, backoff, interval, divisor}.
// Dispatch: unscale: 1-D over n (workgroups of 256, folded into y); unscale4: over n/4 vec4s, 1024 per workgroup;
//   update, filter_loss: 1 workgroup.

struct Params { n: u32, growth: f32, backoff: f32, interval: u32, divisor: f32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(0) var<storage, read_write> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> scale: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<atomic<u32>, 2>;
@group(0) @binding(3) var<storage, read> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> sum: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const VEC4S_PER_LANE = 4u;

fn nonfinite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u; }

@compute @workgroup_size(256)
fn unscale(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= p.n) { return; }
  let v = x[i] * (1.0 / scale[0]);
  x[i] = v;
  if (nonfinite(v)) { atomicOr(&state[0], 1u); }
}

@compute @workgroup_size(256)
fn unscale4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li;
  let inv = 1.0 / scale[0];
  var bad = false;
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < p.n / 4u) {
      let v = x4[i] * inv;
      x4[i] = v;
      bad = bad || nonfinite(v.x) || nonfinite(v.y) || nonfinite(v.z) || nonfinite(v.w);
    }
  }
  if (bad) { atomicOr(&state[0], 1u); }
}

@compute @workgroup_size(1)
fn update() {
  let s = scale[0];
  if (atomicLoad(&state[0]) != 0u) {
    scale[0] = s * p.backoff;
    atomicStore(&state[1], 0u);
  } else {
    let good = atomicLoad(&state[1]) + 1u;
    if (good == p.interval) {
      let grown = s * p.growth;
      if (!nonfinite(grown)) { scale[0] = grown; }
      atomicStore(&state[1], 0u);
    } else {
      atomicStore(&state[1], good);
    }
  }
  atomicStore(&state[0], 0u);
}

@compute @workgroup_size(1)
fn filter_loss() {
  let l = loss[0];
  sum[0] = select(sum[0] + l, sum[0] + sum[0] / p.divisor, nonfinite(l));
}
