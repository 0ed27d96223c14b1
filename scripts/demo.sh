#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs Axon's main job. Until `axon train` lands, that is the
# training benchmark: a BERT classifier (L4 H256 A4, S128, B32) trained on generated token
# ids for 20 steps on every core, printing tokens/s and the loss (about a minute on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
"${AXON_BUILD_DIR:-build}"/bin/axon bench train --layers 4 --hidden 256 --heads 4 --seq 128 \
  --batch 32 --steps 20 --warmup 2 --threads "$(nproc)"
