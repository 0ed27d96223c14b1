#!/usr/bin/env bash
# Trains examples/fpb/fpb.ini on Financial PhraseBank (50% agreement) with seeds 0, 1, 2
# (model seed and split seed alike) and prints one line per seed: the test accuracy and
# macro-F1 of the best dev checkpoint and the wall time. Extra flags go to `axon train`
# after the seed's (e.g. --model.init=RUN_DIR to fine-tune a pretrained model).
#   bench/fpb_seeds.sh [Sentences_50Agree.txt] [extra axon train flags...]
#   RUNS   run directory prefix (default runs/fpb): RUNS-s<seed>, log RUNS-s<seed>.log
#   SEEDS  the seeds (default "0 1 2")
#   AXON   the axon command (default build/bin/axon)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/financial_phrasebank/Sentences_50Agree.txt}"
shift || true
runs=${RUNS:-runs/fpb}
axon=${AXON:-build/bin/axon}
mkdir -p "$(dirname "$runs")"
for seed in ${SEEDS:-0 1 2}; do
  rm -rf "$runs-s$seed"
  start=$(date +%s)
  result=$("$axon" train examples/fpb/fpb.ini --data.path="$data" --train.seed=$seed \
    --data.split-seed=$seed --train.run-dir="$runs-s$seed" "$@" 2> "$runs-s$seed.log" | tail -n 1)
  echo "seed $seed: $result ($(( $(date +%s) - start )) s)"
done
