#!/usr/bin/python3
"""A tiny Hugging Face BertForSequenceClassification and its logits, read by
test/checkpoint/hf_weights_test.cpp (loading real Hugging Face files into Axon's model).

Regenerate (the files are checked in; CI never runs this). Debian's interpreter has torch
1.13; transformers 4.30.2 is the last release that runs on it, installed aside:
    /usr/bin/python3 -m pip install --target /tmp/hfpkgs 'transformers==4.30.2' 'numpy<2'
    PYTHONPATH=/tmp/hfpkgs /usr/bin/python3 test/make_hf_reference.py
('numpy<2' keeps pip from pulling a numpy that torch 1.13 was not built against.)

It writes:
  test/reference/hf/tiny-bert/config.json, model.safetensors   via save_pretrained
  test/reference/hf/tiny-bert-logits.safetensors               "ids", "types", "mask" (i32,
      (B,T), with padding), "logits" (f32, (B,K)): the model in eval mode on those inputs
The weights are Hugging Face's initialisation plus noise (LayerNorm and biases included),
so that every tensor matters to the logits.
"""
import os
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_op_references import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "hf")
B, T = 3, 12

torch.manual_seed(20240612)
config = BertConfig(vocab_size=120, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=64, max_position_embeddings=16, type_vocab_size=2,
                    num_labels=3)
model = BertForSequenceClassification(config).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        scale = 0.1 if "LayerNorm" in name or name.endswith("bias") else 0.05
        if name.startswith("classifier."):
            scale = 0.5  # logits of order 1, so the 1e-4 relative check has teeth
        p.add_(torch.randn_like(p) * scale)
model.save_pretrained(os.path.join(OUT, "tiny-bert"), safe_serialization=True)

ids = torch.randint(1, config.vocab_size, (B, T))
ids[:, 0] = 2  # a [CLS]-like first token
types = torch.zeros(B, T, dtype=torch.int64)
types[:, T // 2:] = 1
lengths = [T, 9, 5]
mask = torch.zeros(B, T, dtype=torch.int64)
for b, n in enumerate(lengths):
    mask[b, :n] = 1
    ids[b, n:] = 0
    types[b, n:] = 0
with torch.no_grad():
    logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits

write_safetensors(os.path.join(OUT, "tiny-bert-logits.safetensors"),
                  {"ids": ids, "types": types, "mask": mask, "logits": logits},
                  {"source": "transformers " + __import__("transformers").__version__})
print("wrote", OUT, "max |logit|", logits.abs().max().item())
