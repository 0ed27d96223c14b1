#!/usr/bin/env bash
# Runs examples/cluster/finsent-3node.ini: starts node processes worker1..3 on 127.0.0.1
# (ports 7101-7103), trains on them, and stops them (also on Ctrl-C or failure). Writes
# the generated data set and its KG embeddings first (as scripts/demo.sh) when they are
# missing. Node logs go to
# runs/finsent-3node-nodes/. Extra arguments go to `axon train` (e.g. --train.epochs=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
axon=${AXON:-build/bin/axon}
config=examples/cluster/finsent-3node.ini
[ -f runs/finsent-data/train.csv ] || "$axon" data synth-finsent runs/finsent-data
[ -d runs/finsent-kg ] || "$axon" kg train examples/finsent/kg.ini
mkdir -p runs/finsent-3node-nodes
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for name in worker1 worker2 worker3; do
  "$axon" node --config "$config" --name "$name" > "runs/finsent-3node-nodes/$name.log" 2>&1 &
  pids+=($!)
done
for name in worker1 worker2 worker3; do # wait until each listens (or has failed)
  for _ in $(seq 100); do
    grep -q "listening on" "runs/finsent-3node-nodes/$name.log" && break
    sleep 0.1
  done
  grep -q "listening on" "runs/finsent-3node-nodes/$name.log" \
    || { echo "node $name did not start:"; cat "runs/finsent-3node-nodes/$name.log"; exit 2; }
done
rm -rf runs/finsent-3node
"$axon" train "$config" "$@"
