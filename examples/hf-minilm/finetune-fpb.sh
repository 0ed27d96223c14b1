#!/bin/sh
# Fine-tunes the pretrained all-MiniLM-L6-v2 (examples/hf-minilm/install.sh) on Financial
# PhraseBank 50% agreement with examples/fpb/fpb.ini: model.init is the model folder, so
# the architecture comes from its config.json and the weights from its model.safetensors
# (Hugging Face names); the vocabulary is the model's. Seeds 0, 1, 2 as bench/fpb_seeds.sh.
# Usage: examples/hf-minilm/finetune-fpb.sh [Sentences_50Agree.txt] [extra axon train flags...]
set -eu
cd "$(dirname "$0")/../.."
data=${1:-../shared/data/financial_phrasebank/Sentences_50Agree.txt}
[ $# -gt 0 ] && shift
model=$(examples/hf-minilm/install.sh)
axon=${AXON:-build/bin/axon}
mkdir -p runs
for seed in 0 1 2; do
  rm -rf "runs/fpb-minilm-s$seed"
  start=$(date +%s)
  result=$("$axon" train examples/fpb/fpb.ini --data.path="$data" --train.seed=$seed \
    --data.split-seed=$seed --train.run-dir="runs/fpb-minilm-s$seed" --model.init="$model" \
    --data.vocab="$model/vocab.txt" --train.lr=5e-5 --train.epochs=4 "$@" \
    2> "runs/fpb-minilm-s$seed.log" | tail -n 1)
  echo "seed $seed: $result ($(( $(date +%s) - start )) s)"
done
