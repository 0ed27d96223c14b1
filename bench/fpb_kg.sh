#!/usr/bin/env bash
# Financial PhraseBank with and without KG fusion (issue #8): entities are linked to
# FB15k-237 (the shared KG with the most company, country and organisation entities) by
# their Freebase names (../shared/data/fb15k237/FB15k_mid2name.txt, underscores as
# spaces), with the TransE embeddings of `axon kg train examples/kg/fb15k237.ini`
# (runs/kg-fb15k237, D = 200). Trains examples/fpb/fpb.ini twice with the same seed and
# split, with and without the KG, and prints each run's last line.
#   bench/fpb_kg.sh [FB15k-237 folder, default /tmp/fb15k237] [extra axon train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
fb="${1:-/tmp/fb15k237}"
shift || true
axon="${AXON_BUILD_DIR:-build}/bin/axon"
mkdir -p runs
/usr/bin/python3 - "$fb" <<'PY'
import sys
fb = sys.argv[1]
entities = set()
for split in ("train", "valid", "test"):
    for line in open(f"{fb}/{split}.txt", encoding="utf-8"):
        h, _, t = line.rstrip("\r\n").split("\t")
        entities.update((h, t))
with open("runs/fb15k237-aliases.tsv", "w", encoding="utf-8") as out:
    for line in open("../shared/data/fb15k237/FB15k_mid2name.txt", encoding="utf-8"):
        mid, name = line.rstrip("\n").split("\t")
        if mid in entities and len(name) >= 2:
            out.write(f"{mid}\t{name.replace('_', ' ')}\n")
PY
data=../shared/data/financial_phrasebank/Sentences_50Agree.txt
for variant in with without; do
  run="runs/fpb-kg-$variant"
  rm -rf "$run"
  flags=()
  [ "$variant" = with ] && flags=(--kg.triples="$fb/train.txt" --kg.aliases=runs/fb15k237-aliases.tsv
                                  --kg.embeddings=runs/kg-fb15k237 --kg.dim=200)
  start=$(date +%s)
  result=$("$axon" train examples/fpb/fpb.ini --data.path="$data" --train.run-dir="$run" \
    "${flags[@]}" "$@" 2> "$run.log" | tail -n 1)
  echo "$variant KG: $result ($(( $(date +%s) - start )) s)"
done
