// adamw_scheduled: adamw.wgsl's torch.optim.AdamW update with its step count, learning rate and skip decision read on
// the GPU, for mixed-precision training (optim/adamw.ts, stepScheduled): a step that a GradScaler found ±Inf or NaN
// in is skipped without a readback (no update, no step counted), and the schedule follows the steps taken.
//   t = counter[0] + 1 (steps taken, this one included); row t of `sched` (written once by the host in float64,
//   rounded to f32 as the host path's uniforms are) holds step_size = lr_t / (1 − β1^t), bc2_sqrt = sqrt(1 − β2^t)
//   and, per parameter group, decay = 1 − lr_t · wd (lr_t: the schedule's lr after t − 1 steps, as HF's scheduler
//   steps only after a step that ran).
//   update / update4: as adamw.wgsl / adamw_vec4.wgsl, or nothing where skip[0] != 0.
//   count: one invocation: counter[1] = counter[0] (the steps before this one: the logged lr's position), and
//   counter[0] += 1 unless skipped.
// Bindings: 0 param (read_write, f32 [n]) / param4 (vec4 [n/4]); 1 grad / grad4 (read); 2 exp_avg / exp_avg4;
//   3 exp_avg_sq / exp_avg_sq4 (read_write); 4 scale (read, [1]: the clip coefficient); 5 sched (read, f32
//   [rows, width]); 6 counter (read_write, u32 [2]); 7 skip (read, u32 [1]: found_inf, or a zero placeholder);
//   8 uniforms {n, width, column, beta1, beta2, eps, one_minus_beta1, one_minus_beta2, rows}.
// Dispatch: update: 1-D over n; update4: over n/4 vec4s, 4 per lane (1024 per workgroup); count: 1 workgroup.

struct Params {
  n: u32, width: u32, column: u32, rows: u32,
  beta1: f32, beta2: f32, eps: f32, one_minus_beta1: f32, one_minus_beta2: f32,
}
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(0) var<storage, read_write> param4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> grad4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(2) var<storage, read_write> exp_avg4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg_sq4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<storage, read> sched: array<f32>;
@group(0) @binding(6) var<storage, read_write> counter: array<u32>;
@group(0) @binding(7) var<storage, read> skip: array<u32>;
@group(0) @binding(8) var<uniform> u: Params;

const VEC4S_PER_LANE = 4u;

struct Hyper { step_size: f32, bc2_sqrt: f32, decay: f32 }

// Row t = steps taken + 1 (clamped to the table: the host sizes it for every step the run can take).
fn hyper() -> Hyper {
  let row = min(counter[0] + 1u, u.rows - 1u) * u.width;
  return Hyper(sched[row], sched[row + 1u], sched[row + 2u + u.column]);
}

// The fused update of 4 values (the scalar entry point uses lane x): same expressions as adamw_vec4.wgsl.
struct Moments { p: vec4<f32>, m: vec4<f32>, v: vec4<f32> }
fn adamw4(p0: vec4<f32>, g0: vec4<f32>, m0: vec4<f32>, v0: vec4<f32>, h: Hyper) -> Moments {
  let g = g0 * scale[0];
  var p = p0 * h.decay;
  let m = m0 + u.one_minus_beta1 * (g - m0);
  let v = u.beta2 * v0 + u.one_minus_beta2 * g * g;
  p = p - h.step_size * m / (sqrt(v) / h.bc2_sqrt + u.eps);
  return Moments(p, m, v);
}

@compute @workgroup_size(256)
fn update(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= u.n || skip[0] != 0u) { return; }
  let r = adamw4(vec4<f32>(param[i]), vec4<f32>(grad[i]), vec4<f32>(exp_avg[i]), vec4<f32>(exp_avg_sq[i]), hyper());
  param[i] = r.p.x;
  exp_avg[i] = r.m.x;
  exp_avg_sq[i] = r.v.x;
}

@compute @workgroup_size(256)
fn update4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  if (skip[0] != 0u) { return; }
  let h = hyper();
  let base = (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li;
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < u.n / 4u) {
      let r = adamw4(param4[i], grad4[i], exp_avg4[i], exp_avg_sq4[i], h);
      param4[i] = r.p;
      exp_avg4[i] = r.m;
      exp_avg_sq4[i] = r.v;
    }
  }
}

@compute @workgroup_size(1)
fn count() {
  counter[1] = counter[0];
  if (skip[0] == 0u) { counter[0] = counter[0] + 1u; }
}
