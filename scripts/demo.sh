#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs Axon's main job: generates the financial-news data set
# with its knowledge graph (runs/finsent-data), trains entity embeddings of the KG
# (examples/finsent/kg.ini: TransE refined by R-GCN layers -> runs/finsent-kg), then trains
# examples/finsent/finsent.ini, a small BERT classifier fusing those embeddings at linked
# entity mentions, on 2 pipeline stages x 2 data-parallel shards, evaluates it and prints
# the test report (`test accuracy=A macro_f1=F`). Then it shows what the KG brings: it
# trains the same job without the KG (runs/finsent-nokg; its output in
# runs/finsent-nokg.{out,log}) and prints one line per run: test accuracy overall, on the
# text rows and on the KG-dependent rows (scripts/finsent_by_kind.sh), whose labels only
# the KG decides. About 3 minutes on 2 cores after the build.
# The run directory (metrics.jsonl, checkpoints, kg/) is runs/finsent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
axon="${AXON_BUILD_DIR:-build}/bin/axon"
"$axon" data synth-finsent runs/finsent-data
"$axon" kg train examples/finsent/kg.ini
rm -rf runs/finsent runs/finsent-nokg # fresh runs each time (axon train refuses to overwrite)
"$axon" train examples/finsent/finsent.ini "$@" | tee runs/finsent.out
echo "the same job without the KG (runs/finsent-nokg) ..."
"$axon" train examples/finsent/finsent.ini --train.run-dir=runs/finsent-nokg \
  --kg.triples= --kg.aliases= --kg.embeddings= "$@" > runs/finsent-nokg.out 2> runs/finsent-nokg.log
for run in finsent finsent-nokg; do
  label="with the KG:   "
  [ "$run" = finsent-nokg ] && label="without the KG:"
  echo "$label $(tail -n 1 runs/$run.out) | $(scripts/finsent_by_kind.sh runs/$run runs/finsent-data)"
done
