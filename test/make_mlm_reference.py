#!/usr/bin/python3
"""PyTorch reference for BERT's MLM pretraining head, read by test/graphs/mlm_head_test.cpp.

Regenerate (torch 1.13 is installed for Debian's interpreter):
    /usr/bin/python3 test/make_mlm_reference.py
It rewrites test/reference/bert/mlm_tiny.safetensors (checked in; CI never runs this).

The model is Hugging Face's BertForMaskedLM in plain torch with its parameter names: the
encoder of make_bert_reference.py (no pooler), then cls.predictions: transform.dense ->
erf GELU -> transform.LayerNorm -> decoder whose weight IS
bert.embeddings.word_embeddings.weight (tied: autograd sums both uses' gradients) plus
cls.predictions.bias; cross-entropy over the positions whose label is not -100 (mean).

The file holds "init/<name>", "batch/ids|types|mask|labels" (int32, labels -100 where no
target), "loss", and "grad/<name>" = d loss / d weight.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bert_reference import CFG, encode, init_weights, make_batch, param_shapes  # noqa: E402
from make_op_references import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "bert",
                   "mlm_tiny.safetensors")


def mlm_shapes(c):
    shapes = {n: s for n, s in param_shapes(c).items()
              if not n.startswith(("bert.pooler", "classifier"))}
    h = c["hidden"]
    shapes.update({
        "cls.predictions.transform.dense.weight": (h, h),
        "cls.predictions.transform.dense.bias": (h,),
        "cls.predictions.transform.LayerNorm.weight": (h,),
        "cls.predictions.transform.LayerNorm.bias": (h,),
        "cls.predictions.bias": (c["vocab"],),
    })
    return shapes


def mlm_loss(w, ids, types, mask, labels, c):
    x = encode(w, ids, types, mask, c)
    t = F.gelu(F.linear(x, w["cls.predictions.transform.dense.weight"],
                        w["cls.predictions.transform.dense.bias"]))
    t = F.layer_norm(t, (c["hidden"],), w["cls.predictions.transform.LayerNorm.weight"],
                     w["cls.predictions.transform.LayerNorm.bias"], c["eps"])
    logits = F.linear(t, w["bert.embeddings.word_embeddings.weight"], w["cls.predictions.bias"])
    return F.cross_entropy(logits.reshape(-1, c["vocab"]), labels.long().reshape(-1),
                           ignore_index=-100)


def main():
    gen = torch.Generator().manual_seed(11)
    init = init_weights(mlm_shapes(CFG), gen)
    batch = make_batch(gen, CFG)
    del batch["labels"]
    # About a fifth of the real tokens are targets (the [CLS]-only row has none).
    pick = (torch.rand(batch["ids"].shape, generator=gen) < 0.2) & (batch["mask"] == 1)
    pick[:, 0] = False
    targets = torch.randint(1, CFG["vocab"], batch["ids"].shape, generator=gen)
    batch["labels"] = torch.where(pick, targets, torch.full_like(targets, -100)).to(torch.int32)

    out = {"init/" + n: t for n, t in init.items()}
    out.update({"batch/" + k: v for k, v in batch.items()})
    w = {n: t.clone().requires_grad_(True) for n, t in init.items()}
    loss = mlm_loss(w, **batch, c=CFG)
    loss.backward()
    out["loss"] = loss.detach().reshape(1)
    for n, t in w.items():
        out["grad/" + n] = t.grad
    write_safetensors(OUT, out, {"config": repr(CFG), "torch": torch.__version__})
    print("%s: %d bytes, loss %.6f, %d targets" % (os.path.relpath(OUT), os.path.getsize(OUT),
                                                  loss.item(), int(pick.sum())))


if __name__ == "__main__":
    main()
