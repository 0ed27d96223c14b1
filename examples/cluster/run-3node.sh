#!/usr/bin/env bash
# Runs examples/cluster/finsent-3node.ini on three node processes of this machine:
#   examples/cluster/run-3node.sh [--work-dir DIR] [--ports P1,P2,P3] [AXON TRAIN FLAGS...]
# starts worker1..3 on 127.0.0.1 ports P1..P3 (default 7101,7102,7103), trains on them and
# stops them (also on Ctrl-C or failure). Everything goes under DIR (default: the current
# folder), where the configs' relative paths runs/... resolve: the generated data set and
# its KG embeddings (made first when missing, as scripts/demo.sh does), the node logs
# (runs/finsent-3node-nodes/) and the run (runs/finsent-3node). The checkout is only read.
# Other flags go to `axon train` (e.g. --train.epochs=1); AXON names the binary.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/../.." && pwd)
axon=${AXON:-$checkout/build/bin/axon}
work_dir=$PWD
ports=7101,7102,7103
while [[ $# -gt 0 ]]; do
  case $1 in
    --work-dir) work_dir=${2:?--work-dir needs a folder}; shift 2 ;;
    --ports) ports=${2:?--ports needs P1,P2,P3}; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
IFS=, read -r port1 port2 port3 more <<< "$ports"
if [[ -z ${port3:-} || -n ${more:-} ]]; then
  echo "run-3node.sh: --ports takes three ports, e.g. 7101,7102,7103 (got '$ports')" >&2
  exit 2
fi
if [[ $axon == */* && $axon != /* ]]; then
  axon=$PWD/$axon # a relative path: still found after the cd below
fi
mkdir -p "$work_dir"
cd "$work_dir"
config=$checkout/examples/cluster/finsent-3node.ini
nodes="--cluster.nodes=[\"worker1=127.0.0.1:$port1\", \"worker2=127.0.0.1:$port2\", \"worker3=127.0.0.1:$port3\"]"
[ -f runs/finsent-data/train.csv ] || "$axon" data synth-finsent runs/finsent-data
[ -d runs/finsent-kg ] || "$axon" kg train "$checkout/examples/finsent/kg.ini"
logs=runs/finsent-3node-nodes
mkdir -p "$logs"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for name in worker1 worker2 worker3; do
  "$axon" node --config "$config" --name "$name" "$nodes" > "$logs/$name.log" 2>&1 &
  pids+=($!)
done
for name in worker1 worker2 worker3; do # wait until each listens (or has failed)
  for _ in $(seq 100); do
    grep -q "listening on" "$logs/$name.log" && break
    sleep 0.1
  done
  grep -q "listening on" "$logs/$name.log" \
    || { echo "node $name did not start:"; cat "$logs/$name.log"; exit 2; }
done
rm -rf runs/finsent-3node
"$axon" train "$config" "$nodes" "$@"
