#!/usr/bin/env bash
# The sanitizer lane: the unit and integration tests and the fuzz corpus replays, built with
# AddressSanitizer + UndefinedBehaviorSanitizer (-DAXON_SANITIZE=ON, g++, no CUDA) in their
# own build folder, run by ctest. scripts/test.sh runs it after the main suite.
#   scripts/sanitize.sh [ctest arguments...]
# The subset: ctest labels `unit` and `integration` without `kernels` (the same tests again
# under other OpenBLAS cores). The system tests (label `system`: real `axon` processes,
# minutes each) and the fault drills run in the main lane only. Two UB patterns inside
# CAF 0.17's own headers are suppressed, each narrowed to its construct (ubsan-caf.supp).
#   AXON_ASAN_BUILD_DIR  build folder (default build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${AXON_ASAN_BUILD_DIR:-build-asan}"
selection=(-L "unit|integration" -LE kernels)

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAXON_CUDA=OFF -DAXON_SANITIZE=ON >/dev/null
# Only what the subset runs: each test's program (replay_NAME for fuzz_replay_NAME).
mapfile -t targets < <(cd "$build" && ctest -N "${selection[@]}" \
  | sed -n 's/^ *Test *#[0-9]*: //p' | sed 's/^fuzz_replay_/replay_/')
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
supp="$PWD/scripts/ubsan-caf.supp"
cd "$build"
# detect_leaks: a leak fails the test like any other report; UBSan stops at its first report.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp:${UBSAN_OPTIONS:-}" \
OPENBLAS_NUM_THREADS=1 ctest --output-on-failure -j "$(nproc)" "${selection[@]}" "$@"
