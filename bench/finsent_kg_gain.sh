#!/usr/bin/env bash
# The measured gain of KG fusion on the generated finsent data (issue #8): generates the
# data (runs/finsent-data), trains TransE on its KG (examples/finsent/kg.ini), then trains
# examples/finsent/finsent.ini twice with the same seed, with the KG and without it
# (--kg.triples= --kg.aliases= --kg.embeddings=), and prints each run's test accuracy
# overall and on the kg_dependent rows (axon eval on the test rows marked 1).
# Logs: runs/finsent-kg-gain-{with,without}.log.
#   bench/finsent_kg_gain.sh [extra axon train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
axon="${AXON_BUILD_DIR:-build}/bin/axon"
"$axon" data synth-finsent runs/finsent-data
"$axon" kg train examples/finsent/kg.ini 2> runs/finsent-kg.log
# The test rows whose label depends on the KG, and the others.
/usr/bin/python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("runs/finsent-data/test.csv", newline="")))
for name, keep in (("test-kg.csv", "1"), ("test-text.csv", "0")):
    with open("runs/finsent-data/" + name, "w", newline="") as out:
        w = csv.DictWriter(out, fieldnames=rows[0].keys(), quoting=csv.QUOTE_NONNUMERIC)
        w.writeheader()
        w.writerows(r for r in rows if r["kg_dependent"] == keep)
PY
for variant in with without; do
  run="runs/finsent-kg-gain-$variant"
  rm -rf "$run"
  flags=()
  [ "$variant" = without ] && flags=(--kg.triples= --kg.aliases= --kg.embeddings=)
  start=$(date +%s)
  "$axon" train examples/finsent/finsent.ini --train.run-dir="$run" "${flags[@]}" "$@" \
    > "$run.out" 2> "runs/finsent-kg-gain-$variant.log"
  seconds=$(( $(date +%s) - start ))
  overall=$(tail -n 1 "$run.out")
  kg=$("$axon" eval --run "$run" --data runs/finsent-data/test-kg.csv 2>/dev/null | tail -n 1)
  text=$("$axon" eval --run "$run" --data runs/finsent-data/test-text.csv 2>/dev/null | tail -n 1)
  echo "$variant KG: $overall | kg_dependent rows: $kg | text rows: $text (${seconds} s)"
done
