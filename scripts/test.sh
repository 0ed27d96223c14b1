#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the whole test suite with ctest.
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`, `-R test_bert`, or `-L drill`
# (the long fault drills, which run only when asked for).
set -euo pipefail
cd "$(dirname "$0")/.."
# chromium: test_newcomer_cli screenshots `axon report`'s page in a headless browser.
AXON_EXTRA_PACKAGES="chromium ${AXON_EXTRA_PACKAGES:-}" scripts/setup.sh
cd "${AXON_BUILD_DIR:-build}"
# Without arguments: every test but the long fault drills (label `drill`, ~20 min).
[ $# -gt 0 ] || set -- -LE drill
OPENBLAS_NUM_THREADS=1 ctest --output-on-failure -j "$(nproc)" "$@"
