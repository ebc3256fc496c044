#!/usr/bin/env bash
# Prepares a bare lent GPU machine (CUDA image: no Node, maybe no Vulkan loader) to run webtune's benches, then runs
# the given command. Expects, next to the repo: .device/node.xz (this machine's node binary, xz-compressed) and
# .device/lib/libvulkan.so.1 (the Vulkan loader), carried with node_modules/webgpu, node_modules/tinybench and dist.
# Usage: bash bench/gpu-machine.sh node dist/bench/kernels.js --out "$OUT"
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
"$@"
