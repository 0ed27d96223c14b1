#!/usr/bin/env bash
# Throughput after scaling up (issue #21, docs/elastic.md): a job started on 1 shard and
# scaled to 3 from `axon console` at step SCALE_AT, against the same job started on 3
# shards, each trained to STEPS steps in one process (2 pipeline stages, batch 24,
# train.threads = 2). Each run's figure is the median tokens/s of its metrics.jsonl train
# events from step SCALE_AT + 3 on (the first steps after a scale-up also bind the
# parameters and allocate the new stages' activations); the two runs of a round go in
# alternating order, and the script prints each round's ratio (scaled over fixed) and
# their median (bench/alternate.sh).
#   scripts/scale_throughput.sh [BUILD_DIR=build-cpu] [ROUNDS=3] [HIDDEN=256] [LAYERS=4]
# Environment: STEPS (250), SCALE_AT (30). Work files go to a temporary folder, removed at
# the end.
set -euo pipefail
cd "$(dirname "$0")/.."
axon="$(realpath "${1:-build-cpu}")/bin/axon"
rounds="${2:-3}"
hidden="${3:-256}"
layers="${4:-4}"
steps=${STEPS:-250}
scale_at=${SCALE_AT:-30}
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
source scripts/scale_job.sh
source bench/alternate.sh

last_step() { # the last train step in metrics.jsonl, 0 before the first
  grep -o '"event":"train".*"step":[0-9]*' "$work/run/metrics.jsonl" 2>/dev/null \
    | sed 's/.*"step"://' | tail -1 || true
}

run() { # SHARDS_AT_START -> the run's median tokens/s from step SCALE_AT + 3
  rm -rf "$work/run"
  write_scale_job "$work" "$axon" "$hidden" "$layers" "$1" 24 "$steps"
  "$axon" train "$work/job.ini" >"$work/job.log" 2>&1 &
  local job=$!
  if [ "$1" = 1 ]; then
    until [ "$(last_step)" -ge "$scale_at" ] 2>/dev/null; do
      kill -0 "$job" 2>/dev/null || { echo "the job ended early: $(tail -3 "$work/job.log")" >&2; exit 1; }
      sleep 0.05
    done
    "$axon" console --run "$work/run" -c "scale shards 3" >&2
  fi
  wait "$job" || { echo "axon train failed: $(tail -3 "$work/job.log")" >&2; exit 1; }
  python3 - "$work/run/metrics.jsonl" "$scale_at" <<'PY'
import json, statistics, sys
events = list(map(json.loads, open(sys.argv[1])))
scaled = [e["step"] for e in events if e.get("event") == "scale"]
start = (scaled[0] if scaled else int(sys.argv[2])) + 3
rates = [e["tokens_per_s"] for e in events if e.get("event") == "train" and e["step"] >= start]
print(round(statistics.median(rates)))
PY
}

run_scaled() { run 1; }
run_fixed() { run 3; }
echo "hidden $hidden, $layers layers, $steps steps, scaled at step $scale_at"
alternate_rounds "$rounds" "scaled 1 -> 3" "started on 3" run_scaled run_fixed
