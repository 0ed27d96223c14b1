#!/usr/bin/env bash
# Throughput after scaling up (issue #21, docs/elastic.md): a job started on 1 shard and
# scaled to 3 from `axon console` at step SCALE_AT, against the same job started on 3
# shards, each trained to STEPS steps in one process (2 pipeline stages, batch 24,
# train.threads = 2). Each run's figure is the median tokens/s of its metrics.jsonl train
# events from step SCALE_AT + 3 on (the first steps after a scale-up also bind the
# parameters and allocate the new stages' activations); the two runs of a round go in
# alternating order, and the script prints each round's ratio (scaled over fixed) and
# their median.
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

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; hidden $hidden, $layers layers; load average $(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then scaled=$(run 1); fixed=$(run 3); else fixed=$(run 3); scaled=$(run 1); fi
  ratio=$(python3 -c "print(f'{$scaled / $fixed:.3f}')")
  ratios+=("$ratio")
  echo "round $r: scaled 1 -> 3 $scaled tok/s, started on 3 $fixed tok/s, ratio $ratio"
done
echo "median ratio (scaled / started at that size) over $rounds rounds: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
