#!/usr/bin/env python3
"""Checks `axon export` against the transformers library itself: exports a trained run,
loads the folder with BertForSequenceClassification and BertTokenizer, and compares their
class probabilities with `axon predict --json` on the same sentences (a file, one per
line). Not run by ctest (it needs transformers, which Axon never depends on); run it with
a Python that has torch and transformers, e.g. the peer's venv:
    "$(../shared/bench/setup-peer.sh)" -m pip install transformers
    "$(../shared/bench/setup-peer.sh)" test/check_hf_export.py runs/finsent-nokg SENTENCES
Exit 0 when every label agrees and every probability is within 1e-4.
"""
import json
import subprocess
import sys
import tempfile

import torch
from transformers import BertForSequenceClassification, BertTokenizer


def main():
    run_dir, sentences = sys.argv[1], sys.argv[2]
    axon = sys.argv[3] if len(sys.argv) > 3 else "build/bin/axon"
    out = tempfile.mkdtemp() + "/hf"
    subprocess.run([axon, "export", "--run", run_dir, out], check=True)
    with open(sentences, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    predicted = subprocess.run([axon, "predict", "--json", "--run", run_dir], check=True,
                               input="\n".join(texts) + "\n", capture_output=True, text=True)
    ours = [json.loads(line) for line in predicted.stdout.splitlines()]
    max_len = int(next(line.split("=")[1] for line in open(run_dir + "/config.ini")
                       if line.replace(" ", "").startswith("max-len=")))
    model = BertForSequenceClassification.from_pretrained(out).eval()
    tokenizer = BertTokenizer.from_pretrained(out)
    worst, disagree = 0.0, 0
    with torch.no_grad():
        for text, axon_row in zip(texts, ours):
            enc = tokenizer([text], truncation=True, max_length=max_len, return_tensors="pt")
            p = torch.softmax(model(**enc).logits, -1)[0]
            labels = model.config.id2label
            for i, label in labels.items():
                worst = max(worst, abs(float(p[int(i)]) - axon_row["probabilities"][label]))
            disagree += labels[int(p.argmax())] != axon_row["label"]
    print("%d sentences: %d labels differ, max |p_transformers - p_axon| = %.2e"
          % (len(texts), disagree, worst))
    return 0 if disagree == 0 and worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
