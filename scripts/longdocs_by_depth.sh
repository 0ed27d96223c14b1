#!/usr/bin/env bash
# Test accuracy of a run on synth-longdocs (docs/synth-longdocs.md) by where the deciding
# sentence lies: overall, on the documents whose deciding sentence ends within the first
# WINDOW tokens ([CLS] and [SEP] included; the run's vocabulary) and on the others, and by
# fifth of depth. Predictions from `axon predict --run RUN_DIR` on DATA_DIR/test.csv.
#   scripts/longdocs_by_depth.sh RUN_DIR DATA_DIR [WINDOW=64]
set -euo pipefail
cd "$(dirname "$0")/.."
axon="${AXON_BUILD_DIR:-build}/bin/axon"
/usr/bin/python3 - "$axon" "$1" "$2" "${3:-64}" <<'PY'
import csv, json, subprocess, sys
axon, run, data, window = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = list(csv.DictReader(open(data + "/test.csv", newline="")))
texts = "".join(r["text"] + "\n" for r in rows)
out = subprocess.run([axon, "predict", "--json", "--run", run], input=texts, text=True,
                     capture_output=True, check=True).stdout
predicted = [json.loads(line)["label"] for line in out.splitlines() if line.startswith("{")]
# Each document's words up to the end of its deciding sentence, tokenized whole.
prefixes = []
for r in rows:
    words = r["text"].split(" ")
    end = int(r["deciding_word"])
    while end < len(words) and words[end] != ".":
        end += 1
    prefixes.append(" ".join(words[:end + 1]) + "\n")
ids = subprocess.run([axon, "tokenize", "--vocab", run + "/vocab.txt", "--max-len", "100000"],
                     input="".join(prefixes), text=True, capture_output=True,
                     check=True).stdout.splitlines()
first = [len(line.split()) <= window for line in ids]
right = [p == r["label"] for p, r in zip(predicted, rows)]
def acc(keep):
    picked = [ok for ok, k in zip(right, keep) if k]
    return f"{sum(picked) / max(len(picked), 1):.3f} ({len(picked)})"
print(f"test accuracy {acc([True] * len(rows))}; deciding sentence within the first {window} "
      f"tokens {acc(first)}, beyond {acc([not f for f in first])}")
print("by fifth of depth: " + ", ".join(
    acc([int(float(r["depth"]) * 5) == q for r in rows]) for q in range(5)))
PY
