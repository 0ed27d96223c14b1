#!/bin/sh
# Fine-tunes the pretrained all-MiniLM-L6-v2 (examples/hf-minilm/install.sh) on Financial
# PhraseBank 50% agreement with examples/fpb/fpb.ini: model.init is the model folder, so
# the architecture comes from its config.json and the weights from its model.safetensors
# (Hugging Face names); the vocabulary is the model's. Seeds 0, 1, 2 (bench/fpb_seeds.sh);
# runs in runs/fpb-minilm-s<seed>.
# Usage: examples/hf-minilm/finetune-fpb.sh [Sentences_50Agree.txt] [extra axon train flags...]
set -eu
cd "$(dirname "$0")/../.."
data=${1:-../shared/data/financial_phrasebank/Sentences_50Agree.txt}
[ $# -gt 0 ] && shift
model=$(examples/hf-minilm/install.sh)
RUNS=runs/fpb-minilm exec bench/fpb_seeds.sh "$data" --model.init="$model" \
  --data.vocab="$model/vocab.txt" --train.lr=5e-5 --train.epochs=4 "$@"
