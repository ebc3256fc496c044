#!/usr/bin/env bash
# Prepares a bare lent GPU machine (CUDA image: no Node, maybe no Vulkan loader) to run webtune's benches, then runs
# the given command, or with `must-show` everything issue 24 asks of a GPU. Expects, next to the repo: .device/node.xz
# (this machine's node binary, xz-compressed) and .device/lib/libvulkan.so.1 (the Vulkan loader), carried with
# dist/bench and a few packages (bench/gpu-prepare.sh builds, makes .device and prints the carry list).
# Usage: bash bench/gpu-machine.sh node dist/bench/kernels.js --out "$OUT"
#        bash bench/gpu-machine.sh must-show [STEP…]   # results in bench/results/<card>.* and, when set, in "$OUT"
set -uo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
mkdir -p /tmp/webtune-node
if [ ! -x /tmp/webtune-node/node ]; then xz -dc .device/node.xz > /tmp/webtune-node/node && chmod +x /tmp/webtune-node/node; fi
export PATH="/tmp/webtune-node:$PATH"
# The image has no Vulkan loader: use the carried one.
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then export LD_LIBRARY_PATH="$PWD/.device/lib:${LD_LIBRARY_PATH:-}"; fi
# NVIDIA's Vulkan driver: the GLX entry of the stock manifest fails headless (no X, no /dev/dri: "Could not get
# 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr'"); the EGL library exports the same ICD and works.
egl=$(ldconfig -p | awk '/libEGL_nvidia.so.0/{print $NF; exit}')
[ -z "$egl" ] && egl=$(find / -name 'libEGL_nvidia.so.0' -not -path '/proc/*' 2>/dev/null | head -1)
if [ -n "$egl" ]; then
  mkdir -p /tmp/webtune-icd
  printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$egl" > /tmp/webtune-icd/nvidia_egl_icd.json
  export VK_ICD_FILENAMES=/tmp/webtune-icd/nvidia_egl_icd.json
fi
if [ "${1:-}" != "must-show" ]; then "$@"; exit $?; fi
shift
# must-show [STEP…]: issue 24's list (all steps, or the ones named), in order of what matters most if the lease runs
# out; ~9 minutes in all (each step has a time limit), so it fits one 10-minute command. Results go to bench/results
# (files named by card) and, when $OUT is set, are copied there with the logs; a failed step does not stop the next.
OUTDIR=bench/results
LOGS="${OUT:-/tmp}/logs"
mkdir -p "$OUTDIR" "$LOGS"
want=" ${*:-gpu-checks kernels train-f32 train-fp16 train-fp16-imdb-512} "
status=0
step() { # step NAME SECONDS COMMAND…
  local name=$1 secs=$2; shift 2
  [[ "$want" == *" $name "* ]] || return 0
  echo "== $name ($(date +%T), limit ${secs}s)"
  timeout "$secs" "$@" > "$LOGS/$name.log" 2>&1; local rc=$?
  tail -n 30 "$LOGS/$name.log"
  if [ $rc -ne 0 ]; then echo "== $name: exit $rc"; status=1; fi
}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | tee "$LOGS/gpu.txt"
# 1. The kernels against float64 on this card (subgroup matrices, tiled matmuls, tiled flash attention, autocast).
step gpu-checks 90 node dist/bench/gpu_checks.js --out "$OUTDIR"
# 2. Kernels at the training shapes, 4096³ f32 / f16, memory kernels vs the copy, % of the datasheet peak.
step kernels 150 node dist/bench/kernels.js --out "$OUTDIR"
# 3. Training steps at 16×128 and 16×512 in f32, then with --fp16 (mixed precision); each prints its readbacks inside
#    steps (must be 0). Then 16×512 with IMDb's lengths and --fp16: the tutorial projection.
step train-f32 110 node dist/bench/train.js --out "$OUTDIR" --infer 32 --steps 5
step train-fp16 110 node dist/bench/train.js --out "$OUTDIR" --infer 32 --steps 5 --fp16
step train-fp16-imdb-512 60 node dist/bench/train.js --out "$OUTDIR" --batch 16 --seq 512 --lengths imdb --fp16 --infer 0 --no-profile
if [ -n "${OUT:-}" ]; then cp "$OUTDIR"/*.json "$OUT"/ 2>/dev/null; fi
exit $status
