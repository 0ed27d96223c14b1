#!/usr/bin/env bash
# Installs the Debian packages Axon needs (only those missing) and builds it into build/.
# Used by scripts/demo.sh, scripts/test.sh and CI; safe to run again (incremental build).
#   AXON_BUILD_DIR  build folder (default: build)
#   AXON_CUDA       ON, OFF or AUTO (default AUTO: CUDA code is built when nvcc is found)
#   AXON_EXTRA_PACKAGES  more Debian packages to install (scripts/test.sh: what tests use)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake libcaf-dev libmsgpack-cxx-dev libboost-test-dev
          libboost-dev  # Beast and Asio: axon serve's HTTP server
          libopenblas-dev nlohmann-json3-dev libutf8proc-dev libssl-dev libreadline-dev tmux
          libcpp-httplib-dev  # the tests' HTTP client
          openssl)  # openssl: the command, for examples/cluster/make-certs.sh (TLS tests)
read -r -a extra <<< "${AXON_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

# nvcc lives outside PATH on the CUDA images.
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi

build_dir="${AXON_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DAXON_CUDA="${AXON_CUDA:-AUTO}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
echo "setup: built into $build_dir"
