#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the whole test suite with ctest, then the sanitizer
# lane (scripts/sanitize.sh: unit and integration tests and the fuzz corpus replays under
# ASan + UBSan, in build-asan).
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`, `-R test_bert`, or `-L drill`
# (the long fault drills, which run only when asked for); with arguments the sanitizer lane
# is not run. AXON_SANITIZER_LANE=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
# chromium: test_newcomer_cli screenshots `axon report`'s page in a headless browser.
AXON_EXTRA_PACKAGES="chromium ${AXON_EXTRA_PACKAGES:-}" scripts/setup.sh
root=$PWD
cd "${AXON_BUILD_DIR:-build}"
if [ $# -gt 0 ]; then
  exec env OPENBLAS_NUM_THREADS=1 ctest --output-on-failure -j "$(nproc)" "$@"
fi
# Without arguments: every test but the long fault drills (label `drill`, ~20 min).
OPENBLAS_NUM_THREADS=1 ctest --output-on-failure -j "$(nproc)" -LE drill
if [ "${AXON_SANITIZER_LANE:-1}" != 0 ]; then
  echo "test: the sanitizer lane (ASan + UBSan; AXON_SANITIZER_LANE=0 skips it)"
  "$root/scripts/sanitize.sh"
fi
