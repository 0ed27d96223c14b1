#!/usr/bin/env bash
# Test accuracy of a finsent run on each kind of test row (docs/synth-finsent.md): the
# text-learnable rows, the KG-dependent ones (fact and move together), and each KG kind.
# Writes DATA/test-{text,kg,fact,move}.csv (the rows of DATA/test.csv of that kind), then
# prints `text A | kg B (fact C, move D)` from `axon eval` on each.
#   scripts/finsent_by_kind.sh RUN_DIR DATA_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
axon="${AXON_BUILD_DIR:-build}/bin/axon"
run="$1" data="$2"
/usr/bin/python3 - "$data" <<'PY'
import csv, sys
folder = sys.argv[1]
rows = list(csv.DictReader(open(folder + "/test.csv", newline="")))
for name, keep in (("text", {"text"}), ("fact", {"fact"}), ("move", {"move"}),
                   ("kg", {"fact", "move"})):
    with open(f"{folder}/test-{name}.csv", "w", newline="") as out:
        w = csv.DictWriter(out, fieldnames=rows[0].keys(), quoting=csv.QUOTE_NONNUMERIC)
        w.writeheader()
        w.writerows(r for r in rows if r["kind"] in keep)
PY
accuracy() { # KIND -> the accuracy on the test rows of KIND
  "$axon" eval --run "$run" --data "$data/test-$1.csv" 2>/dev/null | tail -n 1 |
    sed -E 's/.*accuracy=([0-9.]+).*/\1/'
}
echo "text $(accuracy text) | kg $(accuracy kg) (fact $(accuracy fact), move $(accuracy move))"
