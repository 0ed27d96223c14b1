#!/usr/bin/env bash
# What a replica on a node process costs: `axon serve` with one replica in the serving
# process, then with it on an `axon node` on this machine (placement.nodes), under the same
# closed-loop load from axon-serve-load (one sentence per request, on loopback).
#   bench/serve_on_node.sh RUN_DIR [SECONDS=5] [CLIENTS=8]
# Prints one JSON line per placement. Uses build-cpu/bin (AXON_BIN overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_ready.sh
run_dir=$1
seconds=${2:-5}
clients=${3:-8}
bin=${AXON_BIN:-build-cpu/bin}
log=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT
node_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for where in local worker1; do
  placement='[]'
  [[ $where == worker1 ]] && placement='["replica0=worker1"]'
  printf '[serve]\nreplicas = 1\nport = 0\n[placement]\nnodes = %s\n[cluster]\nnodes = ["worker1=127.0.0.1:%s"]\n' \
    "$placement" "$node_port" > "$log/serve.ini"
  if [[ $where == worker1 ]]; then
    "$bin/axon" node --config "$log/serve.ini" --name worker1 > "$log/node.log" 2>&1 &
    for _ in $(seq 100); do grep -q "listening" "$log/node.log" && break; sleep 0.1; done
  fi
  "$bin/axon" serve --run "$run_dir" --config "$log/serve.ini" --monitor.port=-1 > "$log/axon.log" 2>&1 &
  serve=$!
  port=$(wait_for_serve "$log/axon.log")
  "$bin/axon-serve-load" --port "$port" --clients "$clients" --seconds "$seconds" \
    | sed "s/^{/{\"replica0\":\"$where\",/"
  kill $serve; wait $serve 2>/dev/null || true
done
