#!/bin/sh
# The pretraining corpus of examples/pretrain/pretrain.ini: raw text on this machine that is
# never an evaluation split, one document per line, written to OUT_DIR (default
# runs/pretrain-corpus):
#   sst2.txt         SST-2 train sentences (the dev split is left out)
#   fiqa.txt         FiQA sentiment posts
#   headlines.txt    SemEval-2017 task 5 headlines
#   wordnet.txt      WordNet glosses ("word, gloss", from the shared WN18RR entity texts)
#   gcide.txt        the GNU Collaborative International Dictionary of English (one
#                    paragraph a line), when the Debian package dict-gcide is installed
#                    (apt-get install dict-gcide)
#   wordnet-db.txt   the glosses of the Debian package wordnet-base, when installed
#   fpb.txt          Financial PhraseBank sentences that lie in no test split of the
#                    fine-tuning seeds FPB_SEEDS (default "0 1 2"; the split of
#                    examples/fpb/fpb.ini, written by `axon data split`), repeated
#                    FPB_REPEAT times (default 10) to weight the finance domain; FPB_SEEDS=""
#                    leaves FPB out. Fine-tuning with another seed than these would test on
#                    pretraining text: make the corpus again for it.
# Usage: examples/pretrain/make-corpus.sh [OUT_DIR] [SHARED_DATA]
#   AXON  the axon command (default: this checkout's build/bin/axon; FPB needs it)
set -eu
out=${1:-runs/pretrain-corpus}
data=${2:-$(dirname "$0")/../../../shared/data}
axon=${AXON:-$(dirname "$0")/../../build/bin/axon}
fpb_seeds=${FPB_SEEDS-0 1 2}
fpb_repeat=${FPB_REPEAT:-10}
mkdir -p "$out"
py=/usr/bin/python3

tail -n +2 "$data/sst2/train.tsv" | cut -f1 | sed 's/ *$//' > "$out/sst2.txt"
$py - "$data/fiqa_sa_posts/FiQA_post.json" > "$out/fiqa.txt" <<'PY'
import json, sys
for post in json.load(open(sys.argv[1], encoding="utf-8")).values():
    print(" ".join(post["sentence"].split()))
PY
$py - "$data/semeval2017_task5_headlines/SemEval2017Task5Headlines.json" > "$out/headlines.txt" <<'PY'
import json, sys
for item in json.load(open(sys.argv[1], encoding="utf-8")):
    print(" ".join(item["title"].split()))
PY
cut -f2 "$data/wn18rr/entity2text.txt" > "$out/wordnet.txt"
if [ -r /usr/share/dictd/gcide.dict.dz ]; then
  # Entries are paragraphs of wrapped lines: each paragraph becomes one line, without the
  # "[1913 Webster]" source marks and the {cross-reference} braces.
  zcat /usr/share/dictd/gcide.dict.dz | LC_ALL=C awk 'BEGIN { RS = "" } {
      gsub(/\[[0-9]+ Webster\]|\[WordNet [^]]*\]|[{}]/, ""); gsub(/[ \t\n]+/, " ")
      sub(/^ /, ""); sub(/ $/, ""); if (length($0) >= 20) print }' |
    iconv -f ISO-8859-1 -t UTF-8 > "$out/gcide.txt" # its few 8-bit bytes are not UTF-8
fi
if [ -r /usr/share/wordnet/data.noun ]; then
  for part in noun verb adj adv; do
    grep -av '^  ' "/usr/share/wordnet/data.$part" | sed -n 's/.*| *//p' | sed 's/ *$//'
  done > "$out/wordnet-db.txt"
fi
rm -f "$out/fpb.txt"
if [ -n "$fpb_seeds" ]; then
  fpb=$data/financial_phrasebank/Sentences_50Agree.txt
  splits=$(mktemp -d)
  trap 'rm -rf "$splits"' EXIT
  for seed in $fpb_seeds; do
    "$axon" data split "$fpb" "$splits/s$seed" --split 0.72,0.08,0.2 --seed "$seed" >/dev/null
  done
  $py - "$fpb_repeat" "$splits"/s*/train.csv "$splits"/s*/dev.csv "$splits"/s*/test.csv \
      > "$out/fpb.txt" <<'PY'
import csv, sys
repeat, files = int(sys.argv[1]), sys.argv[2:]
def texts(name):
    with open(name, encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)]
tested = {t for name in files if name.endswith("/test.csv") for t in texts(name)}
kept, seen = [], set()
for name in files:
    for t in texts(name):
        if t not in tested and t not in seen:
            seen.add(t)
            kept.append(" ".join(t.split()))
for _ in range(repeat):
    print("\n".join(kept))
print(f"fpb.txt: {len(kept)} sentences in no test split of {len(files) // 3} seeds, "
      f"x{repeat}", file=sys.stderr)
PY
fi
wc -lc "$out"/*.txt
