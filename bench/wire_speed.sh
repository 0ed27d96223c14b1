#!/usr/bin/env bash
# Tensor throughput across the process boundary (issue #5: >= 1 GB/s for 4 MB payloads over
# loopback): starts `axon node` worker1 of examples/cluster/finsent-3node.ini, runs
# `axon bench wire` RUNS times for each payload size (4 MiB and 1 MiB, window 4), with TLS
# too when WIRE_TLS=1 (a test CA made with examples/cluster/make-certs.sh in a temp folder),
# prints one JSON line per run and stops the node. Run on a quiet machine: both processes
# need a core, and each byte is copied several times per side (docs/cluster.md).
#   bench/wire_speed.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
axon=${AXON:-build/bin/axon}
config=examples/cluster/finsent-3node.ini
tmp=$(mktemp -d)
node_pid=
trap '[ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
start_node() { # extra flags for the node
  "$axon" node --config "$config" --name worker1 "$@" > "$tmp/node.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$tmp/node.log" && return; sleep 0.1; done
  cat "$tmp/node.log"; exit 2
}
measure() { # label, extra flags for bench wire
  local label=$1; shift
  for mib in 4 1; do
    for _ in $(seq "$runs"); do
      printf '{"setup":"%s",' "$label"
      "$axon" bench wire --config "$config" --node worker1 --mib "$mib" \
        --messages $((400 / mib)) --repeats 5 "$@" 2>/dev/null | sed 's/^{//'
    done
  done
}
start_node
measure plain
kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=
if [ "${WIRE_TLS:-0}" = 1 ]; then
  examples/cluster/make-certs.sh "$tmp/certs" coordinator worker1 >/dev/null
  tls() { echo "--cluster.tls-ca=$tmp/certs/ca.pem --cluster.tls-certificate=$tmp/certs/$1.pem --cluster.tls-key=$tmp/certs/$1.key"; }
  # shellcheck disable=SC2046
  start_node $(tls worker1)
  # shellcheck disable=SC2046
  measure tls $(tls coordinator)
fi
