#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan, folder build-fuzz) and runs it.
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh list
# TARGET is a test/fuzz/fuzz_TARGET.cpp (readers, wordpiece, config, safetensors, manifest,
# monitor_frames, messages). The run starts from the seed corpus test/fuzz/corpus/TARGET
# and the regression inputs, grows a working corpus in build-fuzz/corpus/TARGET (not in the
# tree), writes crashing inputs to build-fuzz/artifacts/TARGET/ and prints libFuzzer's final
# figures (executions, coverage). A crash: copy the input to test/fuzz/regressions/TARGET/,
# fix the code, and ctest's fuzz_replay_TARGET keeps it fixed (docs/fuzzing.md).
#   AXON_FUZZ_BUILD_DIR  build folder (default build-fuzz)
#   AXON_FUZZ_JOBS       parallel compile jobs (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."

targets=$(cd test/fuzz && ls fuzz_*.cpp | sed 's/^fuzz_//; s/\.cpp$//')
if [ "${1:-}" = list ]; then
  echo "$targets"
  exit 0
fi
if [ $# -lt 2 ] || ! grep -qx -- "$1" <<< "$targets" || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
  echo "targets: $(tr '\n' ' ' <<< "$targets")" >&2
  exit 2
fi
target=$1 seconds=$2
shift 2
build="${AXON_FUZZ_BUILD_DIR:-build-fuzz}"

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found: install clang (Debian: clang-14, which has libFuzzer)" >&2
  exit 2
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DAXON_CUDA=OFF -DAXON_FUZZ=ON "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j "${AXON_FUZZ_JOBS:-2}" --target "fuzz_$target"

corpus="$build/corpus/$target" artifacts="$build/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
seeds=(test/fuzz/corpus/"$target")
[ -d test/fuzz/regressions/"$target" ] && seeds+=(test/fuzz/regressions/"$target")
# -rss_limit_mb: an input making the parser hold more than 2 GiB is a finding too.
"$build/test/fuzz/fuzz_$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" \
  -artifact_prefix="$artifacts/" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -print_pcs=0 "$@"
