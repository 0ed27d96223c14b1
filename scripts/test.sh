#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the whole test suite with ctest.
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit` or `-R test_bert`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${AXON_BUILD_DIR:-build}"
OPENBLAS_NUM_THREADS=1 ctest --output-on-failure -j "$(nproc)" "$@"
