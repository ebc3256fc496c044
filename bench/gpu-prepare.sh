#!/usr/bin/env bash
# Run here (not on the GPU machine) before lending one: builds dist/ and fills .device/ with what a bare CUDA image
# lacks (this machine's node binary, xz-compressed, and the Vulkan loader), then prints the paths to carry.
# Then, on the lent machine: bash bench/gpu-machine.sh must-show
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
mkdir -p .device/lib
[ -f .device/node.xz ] || xz -9 -T0 -c "$(command -v node)" > .device/node.xz
loader=$(ldconfig -p | awk '/libvulkan.so.1 /{print $NF; exit}')
[ -n "$loader" ] && cp -L "$loader" .device/lib/libvulkan.so.1
# The carry limit is 8 paths and 64 MiB: the bench bundles (self-contained but for these packages), not all of dist.
carry=(dist/bench .device node_modules/tinybench node_modules/hyparquet node_modules/fflate node_modules/webgpu/index.js
  node_modules/webgpu/package.json node_modules/webgpu/dist/linux-x64)
du -shc "${carry[@]}" | tail -1
echo "carry: ${carry[*]}"
