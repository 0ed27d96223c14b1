#!/usr/bin/env bash
# Times scale events (`scale shards N`, docs/elastic.md): trains a small generated job of
# 2 pipeline stages in one process, scales it 1 -> 3 -> 2 -> 1 four times from
# `axon console`, stops it, and prints each event's seconds (metrics.jsonl's "scale"
# events: from the request's handling to the joining shards holding their parameters) and
# their median: all, scaling up, scaling down. Usage: scripts/scale_timing.sh [BUILD_DIR] [HIDDEN] [LAYERS]
# (default build-cpu, 32, 2). Work files go to a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
axon="$(realpath "${1:-build-cpu}")/bin/axon"
hidden="${2:-32}"
layers="${3:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source scripts/scale_job.sh
write_scale_job "$work" "$axon" "$hidden" "$layers" 1 16
"$axon" train "$work/job.ini" >"$work/job.log" 2>&1 &
job=$!
for _ in $(seq 1 300); do [ -f "$work/run/monitor.json" ] && break; sleep 0.1; done
sleep 2 # a few steps first
for shards in 3 2 1 3 2 1 3 2 1 3 2 1; do
  "$axon" console --run "$work/run" -c "scale shards $shards"
  sleep 0.5
done
"$axon" console --run "$work/run" -c stop || true # the job may close first
wait "$job" || true
python3 - "$work/run/metrics.jsonl" <<'PY'
import json, statistics, sys
events = [e for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "scale"]
print(len(events), "scale events, seconds:", " ".join("%.4f" % e["seconds"] for e in events))
shards = [1] + [e["shards"] for e in events]
for name, chosen in (("all", events),
                     ("up", [e for i, e in enumerate(events) if e["shards"] > shards[i]]),
                     ("down", [e for i, e in enumerate(events) if e["shards"] < shards[i]])):
    seconds = [e["seconds"] for e in chosen]
    print("%-4s median %.4f s, max %.4f s (%d events)"
          % (name, statistics.median(seconds), max(seconds), len(seconds)))
PY
