#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs Axon's main job: generates the financial-news data set
# with its knowledge graph (runs/finsent-data), then trains examples/finsent/finsent.ini, a
# small BERT classifier on 2 pipeline stages x 2 data-parallel shards, evaluates it and
# prints the test report; the last line is `test accuracy=A macro_f1=F`. About a minute on
# 2 cores. The run directory (metrics.jsonl, checkpoints) is runs/finsent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
axon="${AXON_BUILD_DIR:-build}/bin/axon"
"$axon" data synth-finsent runs/finsent-data
rm -rf runs/finsent # a fresh run each time (axon train refuses to overwrite one)
"$axon" train examples/finsent/finsent.ini "$@"
