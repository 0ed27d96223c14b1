#!/usr/bin/env bash
# `axon serve` soaked: an open loop above its capacity (so that some requests get 503) for
# SECONDS (default 600), its resident memory (VmRSS in /proc/PID/status) sampled every 10 s.
#   bench/serve_soak.sh RUN_DIR [SECONDS=600] [SENTENCES_FILE] [-- AXON SERVE FLAGS...]
# Prints one line per sample ({"t_s", "rss_kib"}), the load generator's line, then a summary:
# RSS at the start of the load, its maximum, at the end, and the growth from the first
# minute's maximum to the last minute's. Uses build-cpu/bin (AXON_BIN overrides); RATE
# (offered requests/s, default 4000), CLIENTS (default 128) and QUEUE (serve.queue,
# default 32) override.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_ready.sh
run_dir=$1
seconds=${2:-600}
texts=${3:-}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == -- ]] && shift
bin=${AXON_BIN:-build-cpu/bin}
rate=${RATE:-4000}
clients=${CLIENTS:-128}
log=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT

"$bin/axon" serve --run "$run_dir" --serve.port=0 --monitor.port=-1 --serve.queue="${QUEUE:-32}" \
  --serve.http-threads=$((clients + 8)) "$@" > "$log/axon.log" 2>&1 &
pid=$!
port=$(wait_for_serve "$log/axon.log")

"$bin/axon-serve-load" --port "$port" --clients "$clients" --seconds "$seconds" --rate "$rate" \
  ${texts:+--texts "$texts"} > "$log/load.json" || true & # exit 1: some requests got no answer
load=$!
start=$SECONDS
while kill -0 "$load" 2>/dev/null; do
  printf '{"t_s":%d,"rss_kib":%d}\n' $((SECONDS - start)) "$(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
  sleep 10
done | tee "$log/rss.jsonl"
wait "$load" || true
printf '{"t_s":%d,"rss_kib":%d}\n' $((SECONDS - start)) "$(awk '/VmRSS/ {print $2}' /proc/$pid/status)" \
  | tee -a "$log/rss.jsonl"
cat "$log/load.json"
python3 - "$log/rss.jsonl" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
rss = [x["rss_kib"] for x in s]
first = max(x["rss_kib"] for x in s if x["t_s"] <= 60)
last = max(x["rss_kib"] for x in s if x["t_s"] >= s[-1]["t_s"] - 60)
print(json.dumps({"summary": True, "samples": len(s), "start_kib": rss[0], "max_kib": max(rss),
                  "end_kib": rss[-1], "first_minute_max_kib": first, "last_minute_max_kib": last,
                  "growth_kib": last - first}))
PY
kill "$pid"
wait "$pid" 2>/dev/null || true
