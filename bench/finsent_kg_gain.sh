#!/usr/bin/env bash
# The measured gain of KG fusion on the generated finsent data (issue #8), for one seed:
# generates the data with that seed (runs/finsent-gain-SEED/data), trains the KG's entity
# embeddings (examples/finsent/kg.ini: TransE then R-GCN, transe.seed = SEED), then trains
# examples/finsent/finsent.ini twice with train.seed = SEED, with the KG and without it
# (--kg.triples= --kg.aliases= --kg.embeddings=), and prints each run's test accuracy
# overall and on each kind of test row (scripts/finsent_by_kind.sh), and its wall time.
# Logs and run directories: runs/finsent-gain-SEED/.
#   bench/finsent_kg_gain.sh [SEED [extra axon train flags...]]     (SEED: 42)
set -euo pipefail
cd "$(dirname "$0")/.."
axon="${AXON_BUILD_DIR:-build}/bin/axon"
seed="${1:-42}"
shift || true
dir="runs/finsent-gain-$seed"
rm -rf "$dir"
mkdir -p "$dir"
"$axon" data synth-finsent "$dir/data" --seed "$seed" > /dev/null
"$axon" kg train examples/finsent/kg.ini --graph.triples="$dir/data/kg/triples.tsv" \
  --graph.out="$dir/kg" --transe.seed="$seed" 2> "$dir/kg.log"
for variant in with without; do
  run="$dir/$variant"
  flags=(--data.train="$dir/data/train.csv" --data.dev="$dir/data/dev.csv"
         --data.test="$dir/data/test.csv" --kg.triples="$dir/data/kg/triples.tsv"
         --kg.aliases="$dir/data/kg/aliases.tsv" --kg.embeddings="$dir/kg")
  [ "$variant" = without ] && flags+=(--kg.triples= --kg.aliases= --kg.embeddings=)
  start=$(date +%s)
  "$axon" train examples/finsent/finsent.ini --train.run-dir="$run" --train.seed="$seed" \
    "${flags[@]}" "$@" > "$run.out" 2> "$run.log"
  seconds=$(( $(date +%s) - start ))
  echo "seed $seed $variant KG: $(tail -n 1 "$run.out") | $(scripts/finsent_by_kind.sh "$run" \
    "$dir/data") | ${seconds} s"
done
