#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs Axon's main job: generates the financial-news data set
# with its knowledge graph (runs/finsent-data), trains TransE embeddings of the KG's
# entities (examples/finsent/kg.ini -> runs/finsent-kg), then trains
# examples/finsent/finsent.ini, a small BERT classifier fusing those embeddings at linked
# entity mentions, on 2 pipeline stages x 2 data-parallel shards, evaluates it and prints
# the test report; the last line is `test accuracy=A macro_f1=F`. A few minutes on 2 cores.
# The run directory (metrics.jsonl, checkpoints, kg/) is runs/finsent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
axon="${AXON_BUILD_DIR:-build}/bin/axon"
"$axon" data synth-finsent runs/finsent-data
"$axon" kg train examples/finsent/kg.ini
rm -rf runs/finsent # a fresh run each time (axon train refuses to overwrite one)
"$axon" train examples/finsent/finsent.ini "$@"
