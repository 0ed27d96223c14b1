#!/usr/bin/env bash
# `axon serve` against the PyTorch peer (bench/serve_peer.py: the same model shape behind
# Python's threading HTTP server, one forward per request) under closed-loop load from
# axon-serve-load at 1, 8 and 64 clients, one sentence per request, on loopback.
#   bench/serve_vs_peer.sh RUN_DIR [SECONDS=10] [SENTENCES_FILE] [-- AXON SERVE FLAGS...]
# Prints one JSON line per (server, clients). Uses build-cpu/bin (AXON_BIN overrides) and
# the peer's python from ../shared/bench/setup-peer.sh (PEER_PY overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
run_dir=$1
seconds=${2:-10}
texts=${3:-}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == -- ]] && shift
bin=${AXON_BIN:-build-cpu/bin}
peer_py=${PEER_PY:-$(../shared/bench/setup-peer.sh)}
threads=$(nproc)
log=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT

load() { # NAME PORT CLIENTS
  "$bin/axon-serve-load" --port "$2" --clients "$3" --seconds "$seconds" ${texts:+--texts "$texts"} \
    | sed "s/^{/{\"server\":\"$1\",\"threads\":$threads,/"
}

"$bin/axon" serve --run "$run_dir" --serve.port=0 "$@" > "$log/axon.log" 2>&1 &
for _ in $(seq 600); do grep -q "ready" "$log/axon.log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log/axon.log")
[[ -n $port ]] || { cat "$log/axon.log"; exit 1; }
for clients in 1 8 64; do load axon "$port" "$clients"; done
kill %1; wait %1 2>/dev/null || true

peer_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OMP_WAIT_POLICY=PASSIVE "$peer_py" bench/serve_peer.py "$run_dir" "$peer_port" --threads "$threads" \
  > "$log/peer.log" 2>&1 &
for _ in $(seq 600); do grep -q "listening" "$log/peer.log" && break; sleep 0.1; done
grep -q "listening" "$log/peer.log" || { cat "$log/peer.log"; exit 1; }
for clients in 1 8 64; do load peer "$peer_port" "$clients"; done
