#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: npm dependencies, the build, and — only when Dawn finds no WebGPU adapter —
# a software Vulkan driver (Mesa lavapipe) from the distribution, and — when it is missing — Chromium for the browser
# tests (`npm test`), also from the distribution; --no-browser skips Chromium (training never needs it). Safe to run
# again: it skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

want_browser=true
for arg in "$@"; do
  case "$arg" in
    --no-browser) want_browser=false ;;
    -h | --help)
      echo "Usage: bash scripts/setup.sh [--no-browser]"
      echo "  Installs the npm dependencies, a WebGPU driver when none is found, Chromium for the browser tests when"
      echo "  none is found (Debian package chromium; CHROMIUM_PATH, default /usr/bin/chromium), and builds dist/."
      echo "  --no-browser  skip Chromium (training and prediction never need it; the browser tests do)"
      exit 0 ;;
    *) echo "setup: unknown option \"$arg\" (expected --no-browser or --help)" >&2; exit 2 ;;
  esac
done
# Where the browser tests look for Chromium (tests/helpers/chromium.ts reads the same variable).
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"

need_node_major=20
if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js >= $need_node_major is required (https://nodejs.org, or: sudo apt-get install nodejs npm)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt "$need_node_major" ]; then
  echo "setup: Node.js $(node --version) is too old; webtune needs >= $need_node_major" >&2
  exit 1
fi

# npm dependencies: install when missing or when package-lock.json changed since the last install.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else echo "setup: this step needs root: run as root or install sudo: $*" >&2; return 1; fi
}

# An apt step needs Debian/Ubuntu: loads /etc/os-release (PRETTY_NAME, VERSION_CODENAME), else prints $1 and fails.
debian_or() {
  if [ ! -r /etc/os-release ]; then echo "setup: $1" >&2; return 1; fi
  . /etc/os-release
}

install_software_vulkan() {
  debian_or "no WebGPU adapter, and this is not a Debian/Ubuntu system: install a Vulkan driver (Mesa >= 23) yourself" || return 1
  echo "setup: no WebGPU adapter found; installing the software Vulkan driver (Mesa lavapipe) from $PRETTY_NAME"
  export DEBIAN_FRONTEND=noninteractive
  if [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
    # bookworm's own Mesa 22.3 is rejected by Dawn: take Mesa from bookworm-backports.
    echo "deb http://deb.debian.org/debian bookworm-backports main" | as_root tee /etc/apt/sources.list.d/webtune-backports.list >/dev/null
    as_root apt-get update -q
    as_root apt-get install -y -q -t bookworm-backports mesa-vulkan-drivers libvulkan1
  else
    as_root apt-get update -q
    as_root apt-get install -y -q mesa-vulkan-drivers libvulkan1
  fi
}

install_chromium() {
  debian_or "the browser tests need Chromium at $chromium_path, and this is not a Debian/Ubuntu system: install it yourself (or set CHROMIUM_PATH)" || return 1
  echo "setup: no Chromium at $chromium_path (the browser tests drive it); installing chromium from $PRETTY_NAME"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q chromium
}

# The adapter probe, without Dawn's two limit notices (nothing to act on; src/runtime/native_stderr.ts).
check_adapter() {
  local rc
  { node scripts/check-adapter.mjs 2>&1 1>&3 3>&- | grep -v -E '^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced' >&2; rc=${PIPESTATUS[0]}; } 3>&1
  return "$rc"
}

if ! check_adapter; then
  install_software_vulkan
  check_adapter || { echo "setup: still no WebGPU adapter after installing the driver" >&2; exit 1; }
fi

# Chromium is for the tests only: where it cannot be installed, training still works, so this warns instead of failing
# (the browser tests then fail with the same advice).
if $want_browser && [ ! -x "$chromium_path" ]; then
  if ! install_chromium || [ ! -x "$chromium_path" ]; then
    echo "setup: WARNING: no Chromium at $chromium_path: the browser tests (npm test) will fail until it is installed (apt-get install chromium, or set CHROMIUM_PATH); training does not need it" >&2
  fi
fi

# Build when dist/ is missing or older than any source.
if [ ! -f dist/train.js ] || [ -n "$(find src shaders bench scripts package.json -newer dist/train.js -print -quit 2>/dev/null)" ]; then
  echo "setup: building (npm run build)"
  npm run build --silent
fi
echo "setup: ready"
