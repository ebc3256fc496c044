// cross_entropy: mean over rows of −log softmax(logits)[label], rows with label == ignore_index skipped (torch's
// CrossEntropyLoss(reduction='mean', ignore_index=-100)). Two entry points:
// forward: one workgroup of 64; each invocation handles rows li, li+64, …; fixed-order tree sum.
//          out[0] = loss, out[1] = number of counted rows.
// backward: one invocation per (row, class): dlogits = (softmax − onehot) · dloss[0] / count (0 for ignored rows).
// Bindings: 0 logits (read, [rows, classes]); 1 labels (read, array<i32> [rows]); 2 dloss (read, [1]);
//           3 out (read_write, [2]; read by backward); 4 dlogits (read_write, [rows, classes]);
//           5 uniforms {rows, classes, ignore_index}.
// Dispatch: forward 1 workgroup; backward 1-D over rows·classes, workgroups of 64.

struct Params { rows: u32, classes: u32, ignore_index: i32 }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> dloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> sums: array<f32, 64>;
var<workgroup> counts: array<f32, 64>;

fn log_sum_exp(row: u32) -> f32 {
  var m = -3.4028234663852886e38;
  for (var c = 0u; c < p.classes; c++) { m = max(m, logits[row * p.classes + c]); }
  var s = 0.0;
  for (var c = 0u; c < p.classes; c++) { s += exp(logits[row * p.classes + c] - m); }
  return m + log(s);
}

@compute @workgroup_size(64)
fn forward(@builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  var n = 0.0;
  for (var r = li; r < p.rows; r += 64u) {
    let label = labels[r];
    if (label == p.ignore_index) { continue; }
    s += log_sum_exp(r) - logits[r * p.classes + u32(label)];
    n += 1.0;
  }
  sums[li] = s;
  counts[li] = n;
  workgroupBarrier();
  for (var k = 32u; k > 0u; k = k / 2u) {
    if (li < k) { sums[li] += sums[li + k]; counts[li] += counts[li + k]; }
    workgroupBarrier();
  }
  if (li == 0u) { out[0] = sums[0] / counts[0]; out[1] = counts[0]; }
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.rows * p.classes) { return; }
  let r = i / p.classes;
  let c = i % p.classes;
  let label = labels[r];
  if (label == p.ignore_index) { dlogits[i] = 0.0; return; }
  let prob = exp(logits[i] - log_sum_exp(r));
  dlogits[i] = (prob - select(0.0, 1.0, u32(label) == c)) * dloss[0] / out[1];
}
