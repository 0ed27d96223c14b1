#!/usr/bin/env bash
# `axon serve` against its peers under closed-loop load from axon-serve-load (one sentence
# per request, on loopback) at 1, 8 and 64 clients. The peers are the run's model shape in
# PyTorch with random weights (bench/serve_peer_asgi.py) behind uvicorn, an ASGI server with
# the same JSON: "peer" runs one forward per request, "peer-batch" batches dynamically
# (PEER_BATCH texts, PEER_WAIT_MS ms; the same as serve.max-batch / serve.max-wait's
# defaults). All three serve at once and take turns: for each of REPEATS rounds, for each
# client count, axon, peer, peer-batch, so that the machine's other load falls on all alike.
#   bench/serve_vs_peer.sh RUN_DIR [SECONDS=5] [SENTENCES_FILE] [-- AXON SERVE FLAGS...]
# Prints one JSON line per run, then a table of the medians over the rounds (requests/s,
# p50 / p99 ms of the 200s; non-200 answers and lost requests, summed). Uses build-cpu/bin
# (AXON_BIN overrides) and the peer's python from bench/setup-serve-peer.sh (PEER_PY
# overrides); REPEATS (3), CLIENTS ("1 8 64"), SERVERS ("axon peer peer-batch") override.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_ready.sh
run_dir=$1
seconds=${2:-5}
texts=${3:-}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == -- ]] && shift
bin=${AXON_BIN:-build-cpu/bin}
peer_py=${PEER_PY:-$(bench/setup-serve-peer.sh)}
repeats=${REPEATS:-3}
client_counts=${CLIENTS:-1 8 64}
servers=${SERVERS:-axon peer peer-batch}
threads=$(nproc)
log=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A port

"$bin/axon" serve --run "$run_dir" --serve.port=0 "$@" > "$log/axon.log" 2>&1 &
port[axon]=$(wait_for_serve "$log/axon.log")
port[peer]=$(free_port)
OMP_WAIT_POLICY=PASSIVE "$peer_py" bench/serve_peer_asgi.py "$run_dir" "${port[peer]}" \
  --threads "$threads" > "$log/peer.log" 2>&1 &
port[peer-batch]=$(free_port)
OMP_WAIT_POLICY=PASSIVE "$peer_py" bench/serve_peer_asgi.py "$run_dir" "${port[peer-batch]}" \
  --threads "$threads" --max-batch "${PEER_BATCH:-32}" --max-wait-ms "${PEER_WAIT_MS:-2}" \
  > "$log/peer-batch.log" 2>&1 &
for server in $servers; do # ready when it answers; then a warm-up
  for _ in $(seq 1200); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' -d '{"texts":["warm up"]}' \
      "http://127.0.0.1:${port[$server]}/v1/classify" && break
    sleep 0.1
  done
  "$bin/axon-serve-load" --port "${port[$server]}" --clients 8 --seconds 2 ${texts:+--texts "$texts"} > /dev/null \
    || { cat "$log"/*.log; exit 1; }
done

for round in $(seq "$repeats"); do
  for clients in $client_counts; do
    for server in $servers; do
      "$bin/axon-serve-load" --port "${port[$server]}" --clients "$clients" --seconds "$seconds" \
          ${texts:+--texts "$texts"} \
        | sed "s/^{/{\"server\":\"$server\",\"round\":$round,\"threads\":$threads,/" || true
    done
  done
done | tee "$log/runs.jsonl"

python3 - "$log/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
keys = sorted({(r["clients"], r["server"]) for r in runs}, key=lambda k: (k[0], ["axon", "peer", "peer-batch"].index(k[1])))
print("| clients | server | rounds | req/s | p50 ms | p99 ms | not 200 |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for c, s in keys:
    rs = [r for r in runs if r["clients"] == c and r["server"] == s]
    med = lambda f: statistics.median(r[f] for r in rs)
    bad = sum(n for r in rs for code, n in r.get("statuses", {}).items() if code != "200")
    print(f"| {c} | {s} | {len(rs)} | {med('requests_per_s'):.0f} | {med('p50_ms'):.1f} | {med('p99_ms'):.1f} | {bad} |")
PY
