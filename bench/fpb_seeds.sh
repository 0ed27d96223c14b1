#!/usr/bin/env bash
# Trains examples/fpb/fpb.ini on Financial PhraseBank (50% agreement) with seeds 0, 1, 2
# (model seed and split seed alike) and prints one line per seed: the test accuracy and
# macro-F1 of the best dev checkpoint and the wall time. Logs: runs/fpb-s<seed>.log.
#   bench/fpb_seeds.sh [Sentences_50Agree.txt] [extra axon train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/financial_phrasebank/Sentences_50Agree.txt}"
shift || true
mkdir -p runs
for seed in 0 1 2; do
  rm -rf "runs/fpb-s$seed"
  start=$(date +%s)
  result=$(build/bin/axon train examples/fpb/fpb.ini --data.path="$data" --train.seed=$seed \
    --data.split-seed=$seed --train.run-dir="runs/fpb-s$seed" "$@" 2> "runs/fpb-s$seed.log" | tail -n 1)
  echo "seed $seed: $result ($(( $(date +%s) - start )) s)"
done
