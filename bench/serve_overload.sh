#!/usr/bin/env bash
# `axon serve` at twice the rate it sustains (issue #23's overload figure): unloaded p99
# (one client, closed loop), the sustainable rate (closed loop at as many clients as
# serve.queue holds, so nothing is refused), then an open loop at twice that rate from
# more clients than serve.queue holds: the p99 of the requests it accepts, and the share
# refused with 503. One service for all three.
#   bench/serve_overload.sh RUN_DIR [SECONDS=10] [SENTENCES_FILE] [-- AXON SERVE FLAGS...]
# Prints one JSON line per phase (rss_kib: the service's resident memory when the phase
# began), then a summary line. Uses build/bin (AXON_BIN
# overrides); QUEUE (default 32), CLIENTS (open loop, default 192) and RATE (the open loop's
# requests/s, default twice the sustained rate: to compare queues at one offered load)
# override.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/serve_ready.sh
run_dir=$1
seconds=${2:-10}
texts=${3:-}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == -- ]] && shift
bin=${AXON_BIN:-build/bin}
queue=${QUEUE:-32}
clients=${CLIENTS:-192}
log=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT

# The console endpoint stays off: it would write RUN_DIR/serve, and the run may be read-only.
"$bin/axon" serve --run "$run_dir" --serve.port=0 --monitor.port=-1 --serve.queue="$queue" \
  --serve.http-threads=$((clients + 8)) "$@" > "$log/axon.log" 2>&1 &
pid=$!
port=$(wait_for_serve "$log/axon.log")

load() { # PHASE FLAGS...: its line, with the service's resident memory after it
  local phase=$1
  shift
  "$bin/axon-serve-load" --port "$port" --seconds "$seconds" ${texts:+--texts "$texts"} "$@" \
    | sed "s/^{/{\"phase\":\"$phase\",\"rss_kib\":$(awk '/VmRSS/ {print $2}' /proc/$pid/status),/" \
    || true # exit 1: some requests got no answer (counted as "0")
}
field() { sed -n "s/.*\"$2\":\([0-9.e+-]*\).*/\1/p" <<< "$1"; }

"$bin/axon-serve-load" --port "$port" --seconds 2 --clients 8 ${texts:+--texts "$texts"} > /dev/null # warm-up
unloaded=$(load unloaded --clients 1)
echo "$unloaded"
sustained=$(load sustained --clients "$queue")
echo "$sustained"
rate=${RATE:-$(awk -v r="$(field "$sustained" requests_per_s)" 'BEGIN { printf "%d", 2 * r }')}
overload=$(load overload --clients "$clients" --rate "$rate")
echo "$overload"
refused=$(sed -n 's/.*"503":\([0-9]*\).*/\1/p' <<< "$overload")
awk -v u="$(field "$unloaded" p99_ms)" -v s="$(field "$sustained" requests_per_s)" \
    -v p="$(field "$overload" p99_ms)" -v ok="$(field "$overload" ok)" -v r="${refused:-0}" \
    -v sent="$(field "$overload" sent_per_s)" -v rate="$rate" \
    -v rss="$(awk '/VmRSS/ {print $2}' /proc/$pid/status)" \
  'BEGIN { printf "{\"summary\":true,\"unloaded_p99_ms\":%.2f,\"sustained_per_s\":%.0f,\"offered_per_s\":%d,\"sent_per_s\":%.0f,\"accepted_p99_ms\":%.2f,\"p99_ratio\":%.2f,\"refused_share\":%.3f,\"rss_end_kib\":%d}\n",
           u, s, rate, sent, p, p / u, r / (r + ok), rss }'
kill %1
wait %1 2>/dev/null || true
