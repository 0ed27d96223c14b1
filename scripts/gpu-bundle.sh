#!/usr/bin/env bash
# Prepares the device check (scripts/gpu-check.sh) on a machine WITHOUT a GPU: copies the
# gpu-labelled test programs of a CUDA build, `axon`, the shared libraries they need that
# a bare CUDA machine lacks (found with ldd: Boost, OpenBLAS, cudart, ...) and the PyTorch
# peer script into BUILD/gpu-bundle, and packs it as BUILD/gpu-bundle.tar.gz, small enough
# to carry to the device machine.
#   scripts/gpu-bundle.sh [BUILD_DIR]      (default: build-cuda; build it first)
# Left out on purpose: the C library, libstdc++ and libgcc (the device image's are newer),
# the driver (libcuda) and cuBLAS (600 MB; the device has CUDA 13 and its own copy).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-cuda}"
bundle="$build/gpu-bundle"
peer="${AXON_PEER_SCRIPT:-../shared/bench/peer_torch_bert.py}"
[ -f "$build/CMakeCache.txt" ] || { echo "no build in $build: configure with -DAXON_CUDA=ON and build" >&2; exit 1; }
rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/peer"

# The gpu-labelled tests, as ctest lists them (name and program).
(cd "$build" && ctest -L gpu --show-only=json-v1) | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    print(t["name"], t["command"][0])' > "$bundle/gpu-tests.txt"
[ -s "$bundle/gpu-tests.txt" ] || { echo "no gpu tests in $build (was it configured with CUDA?)" >&2; exit 1; }
while read -r name program; do
  cp "$program" "$bundle/bin/$name"
done < "$bundle/gpu-tests.txt"
sed -i 's# .*##' "$bundle/gpu-tests.txt" # names only; the programs are in bin/
cp "$build/bin/axon" "$bundle/bin/" # for `axon bench train --device cuda`

skip='^(linux-vdso|ld-linux|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|libcuda|libcublas|libcublasLt)\.so'
for program in "$bundle"/bin/*; do
  ldd "$program" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r soname path; do
  [[ "$soname" =~ $skip ]] || cp -L "$path" "$bundle/lib/$soname"
done

if [ -f "$peer" ]; then
  cp "$peer" "$bundle/peer/"
else
  echo "warning: $peer not found; the PyTorch peer will be skipped" >&2
fi
# The device tool carries at most 64 MiB with the working tree: send it compressed
# (OpenBLAS alone is 36 MB, a third of that in gzip).
tar -C "$build" -czf "$build/gpu-bundle.tar.gz" gpu-bundle
du -sh "$bundle" "$build/gpu-bundle.tar.gz"
echo "bundle ready: carry $build/gpu-bundle.tar.gz (and run scripts/gpu-check.sh $build/gpu-bundle.tar.gz there)"
