#!/usr/bin/env bash
# Issue #22's throughput figure: the document graph (data.long-text = chunk) against the
# same windows trained as independent short texts (truncate). Documents of 60 to 120 words
# (axon data synth-longdocs --min-words 60 --max-words 120) fit one window of 128 tokens
# nearly always (2,400 train documents -> 2,409 windows with the default seed), so both
# modes train on nearly the same rows and only the document path differs: whole-document
# batches, micro-batches cut at document boundaries, the document head.
#   bench/longdocs_vs_short.sh [PAIRS=5] [EPOCHS=3]
# Runs PAIRS pairs (chunk first in odd pairs, truncate first in even ones), each `axon train examples/longdocs/longdocs.ini`
# with chunk-len = max-len = 128, no evaluation during training; takes each run's median
# tokens/s over its metrics.jsonl train events, and prints each pair's figures, ratio
# (chunk over truncate) and their median (bench/alternate.sh). Uses build-cpu/bin (AXON_BIN overrides); writes only under a
# temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/alternate.sh
pairs=${1:-5}
epochs=${2:-3}
axon=${AXON_BIN:-build-cpu/bin}/axon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$axon" data synth-longdocs "$work/data" --seed 42 --docs 3000 --min-words 60 --max-words 120 >&2

median_tokens_per_s() { # metrics.jsonl -> the median tokens/s of its train events
  python3 -c '
import json, statistics, sys
rates = [e["tokens_per_s"] for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "train"]
print(round(statistics.median(rates)))' "$1"
}

run() { # MODE N -> the run's median tokens/s
  local dir=$work/$1-$2
  "$axon" train examples/longdocs/longdocs.ini --data.train="$work/data/train.csv" \
    --data.dev="$work/data/dev.csv" --data.test="$work/data/test.csv" --data.long-text="$1" \
    --data.chunk-len=128 --data.max-len=128 --model.max-positions=128 --eval.every-steps=0 \
    --train.epochs="$epochs" --train.run-dir="$dir" --monitor.port=-1 > "$dir.log" 2>&1 \
    || { echo "axon train ($1) failed: $(tail -3 "$dir.log")" >&2; exit 1; }
  median_tokens_per_s "$dir/metrics.jsonl"
}

run_chunk() { run chunk "$1"; }
run_truncate() { run truncate "$1"; }
echo "hidden 64, 2 layers (examples/longdocs/longdocs.ini), $epochs epochs a run"
alternate_rounds "$pairs" chunk truncate run_chunk run_truncate
