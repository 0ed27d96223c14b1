#!/bin/sh
# Fine-tunes an `axon pretrain` run (default runs/pretrain, examples/pretrain/pretrain.ini)
# on Financial PhraseBank 50% agreement with examples/fpb/fpb.ini, seeds 0, 1, 2
# (bench/fpb_seeds.sh): model.init is the run directory (its newest valid checkpoint), the
# vocabulary the run's. The corpus of examples/pretrain/make-corpus.sh holds no sentence of
# these seeds' test splits. Runs in runs/fpb-pretrained-s<seed>. Learning rate 2e-4, chosen
# on seed 0's dev split against 1e-4 (docs/benchmarks.md).
# Usage: examples/pretrain/finetune-fpb.sh [RUN_DIR] [Sentences_50Agree.txt] [extra flags...]
set -eu
cd "$(dirname "$0")/../.."
run=${1:-runs/pretrain}
data=${2:-../shared/data/financial_phrasebank/Sentences_50Agree.txt}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
RUNS=${RUNS:-runs/fpb-pretrained} exec bench/fpb_seeds.sh "$data" --model.init="$run" \
  --data.vocab="$run/vocab.txt" --train.lr=2e-4 "$@"
