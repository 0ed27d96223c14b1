#!/usr/bin/python3
"""PyTorch reference for the whole BERT classifier, read by test/graphs/bert_reference_test.cpp.

Regenerate with a python that has torch (`../shared/bench/setup-peer.sh` prints one):
    PYTHON test/make_bert_reference.py [tiny] [documents]
It rewrites test/reference/bert/tiny.safetensors (made with torch 1.13) and
documents.safetensors, the long-document classifier (made with torch 2.15; see documents()
below); both are checked in, CI never runs this.

The model is Hugging Face's BertForSequenceClassification written out in plain torch with
the same parameter names: embeddings (word + position + token type) -> LayerNorm -> L post-LN
encoder layers (separate query/key/value, erf GELU, eps 1e-12) -> pooler (dense + tanh on
[CLS]) -> classifier; dropout 0; key padding mask as an additive finfo.min (masked keys get
probability 0), as current Hugging Face versions do.

The file holds:
  "init/<name>"          the initial weights (Hugging Face names)
  "batch<k>/ids|types|mask|labels"   two batches (int32), used alternately
  "logits", "loss"       forward on batch0 with the initial weights
  "grad/<name>"          d loss / d weight for that forward
  "train_losses"         the losses of 10 AdamW steps (batch k % 2 at step k) with
                         lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 except
                         on biases and LayerNorm weights (Hugging Face's grouping)
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_op_references import write_safetensors  # noqa: E402

CFG = dict(vocab=100, max_pos=16, types=2, hidden=64, layers=2, heads=4, inter=256,
           classes=3, eps=1e-12)
B, S = 4, 16
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "bert",
                   "tiny.safetensors")


def param_shapes(c):
    h, i = c["hidden"], c["inter"]
    shapes = {
        "bert.embeddings.word_embeddings.weight": (c["vocab"], h),
        "bert.embeddings.position_embeddings.weight": (c["max_pos"], h),
        "bert.embeddings.token_type_embeddings.weight": (c["types"], h),
        "bert.embeddings.LayerNorm.weight": (h,),
        "bert.embeddings.LayerNorm.bias": (h,),
    }
    for l in range(c["layers"]):
        p = "bert.encoder.layer.%d." % l
        for part in ("query", "key", "value"):
            shapes[p + "attention.self.%s.weight" % part] = (h, h)
            shapes[p + "attention.self.%s.bias" % part] = (h,)
        shapes.update({
            p + "attention.output.dense.weight": (h, h),
            p + "attention.output.dense.bias": (h,),
            p + "attention.output.LayerNorm.weight": (h,),
            p + "attention.output.LayerNorm.bias": (h,),
            p + "intermediate.dense.weight": (i, h),
            p + "intermediate.dense.bias": (i,),
            p + "output.dense.weight": (h, i),
            p + "output.dense.bias": (h,),
            p + "output.LayerNorm.weight": (h,),
            p + "output.LayerNorm.bias": (h,),
        })
    shapes["bert.pooler.dense.weight"] = (h, h)
    shapes["bert.pooler.dense.bias"] = (h,)
    shapes["classifier.weight"] = (c["classes"], h)
    shapes["classifier.bias"] = (c["classes"],)
    return shapes


def encode(w, ids, types, mask, c):
    """The encoder's last hidden states (b, s, h)."""
    h, nh = c["hidden"], c["heads"]
    hs = h // nh
    b, s = ids.shape
    ln = lambda x, name: F.layer_norm(x, (h,), w[name + ".weight"], w[name + ".bias"], c["eps"])
    lin = lambda x, name: F.linear(x, w[name + ".weight"], w[name + ".bias"])
    x = (w["bert.embeddings.word_embeddings.weight"][ids.long()]
         + w["bert.embeddings.position_embeddings.weight"][:s].unsqueeze(0)
         + w["bert.embeddings.token_type_embeddings.weight"][types.long()])
    x = ln(x, "bert.embeddings.LayerNorm")
    add_mask = (1.0 - mask.to(x.dtype)) * torch.finfo(x.dtype).min  # (b, s)
    for l in range(c["layers"]):
        p = "bert.encoder.layer.%d." % l
        heads = lambda t: t.view(b, s, nh, hs).transpose(1, 2)
        q = heads(lin(x, p + "attention.self.query"))
        k = heads(lin(x, p + "attention.self.key"))
        v = heads(lin(x, p + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hs) + add_mask.view(b, 1, 1, s)
        ctx = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, s, h)
        x = ln(x + lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        ffn = lin(F.gelu(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = ln(x + ffn, p + "output.LayerNorm")
    return x


def forward(w, ids, types, mask, labels, c):
    x = encode(w, ids, types, mask, c)
    lin = lambda x, name: F.linear(x, w[name + ".weight"], w[name + ".bias"])
    pooled = torch.tanh(lin(x[:, 0], "bert.pooler.dense"))
    logits = lin(pooled, "classifier")
    return logits, F.cross_entropy(logits, labels.long())


def init_weights(shapes, gen):
    init = {}
    for name, shape in shapes.items():
        if "LayerNorm.weight" in name:   # near 1, not exactly: every gradient path is exercised
            t = 1.0 + 0.1 * torch.randn(shape, generator=gen)
        elif name.endswith(".bias"):
            t = 0.02 * torch.randn(shape, generator=gen)
        else:
            t = 0.02 * torch.randn(shape, generator=gen) * (5.0 if "embeddings" in name else 1.0)
        init[name] = t.float()
    return init


def make_batch(gen, c):
    ids = torch.randint(1, c["vocab"], (B, S), generator=gen)
    lengths = torch.tensor([S, 1, 7, 12])  # a full row, a [CLS]-only row, two padded
    mask = (torch.arange(S).unsqueeze(0) < lengths.unsqueeze(1)).to(torch.int32)
    ids[:, 0] = 2  # [CLS]
    ids = ids.masked_fill(mask == 0, 0)
    types = ((torch.arange(S).unsqueeze(0) >= (lengths // 2).unsqueeze(1)) & (mask == 1))
    labels = torch.randint(0, c["classes"], (B,), generator=gen)
    return {"ids": ids.to(torch.int32), "types": types.to(torch.int32), "mask": mask,
            "labels": labels.to(torch.int32)}


def main():
    gen = torch.Generator().manual_seed(7)
    init = init_weights(param_shapes(CFG), gen)
    batches = [make_batch(gen, CFG) for _ in range(2)]

    out = {}
    for k, bt in enumerate(batches):
        for key, value in bt.items():
            out["batch%d/%s" % (k, key)] = value
    for name, t in init.items():
        out["init/" + name] = t

    w = {n: t.clone().requires_grad_(True) for n, t in init.items()}
    logits, loss = forward(w, **batches[0], c=CFG)
    loss.backward()
    out["logits"] = logits.detach()
    out["loss"] = loss.detach().reshape(1)
    for n, t in w.items():
        out["grad/" + n] = t.grad

    w = {n: t.clone().requires_grad_(True) for n, t in init.items()}
    no_decay = [n for n in w if n.endswith(".bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW(
        [{"params": [t for n, t in w.items() if n not in no_decay], "weight_decay": 0.01},
         {"params": [t for n, t in w.items() if n in no_decay], "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=False)
    losses = []
    for step in range(10):
        opt.zero_grad()
        _, loss = forward(w, **batches[step % 2], c=CFG)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out["train_losses"] = torch.tensor(losses, dtype=torch.float32)
    write_safetensors(OUT, out, {"config": repr(CFG), "torch": torch.__version__})
    print("%s: %d bytes, loss %.6f, losses %s" % (os.path.relpath(OUT), os.path.getsize(OUT),
                                                 out["loss"].item(),
                                                 " ".join("%.5f" % x for x in losses)))


# ---- the long-document classifier (graphs/bert/document_classifier) ----------------------
DOC_WINDOWS = [3, 1, 2]  # windows per document: consecutive rows of the window batch
DOCS_OUT = os.path.join(os.path.dirname(OUT), "documents.safetensors")


def make_documents(gen, c):
    """Six windows of three documents: full windows, a document's shorter last window, a
    one-window document of 5 tokens, a [CLS] [SEP] window (the empty document's)."""
    n = sum(DOC_WINDOWS)
    lengths = torch.tensor([S, S, 9, 5, S, 2])
    ids = torch.randint(4, c["vocab"], (n, S), generator=gen)
    mask = (torch.arange(S).unsqueeze(0) < lengths.unsqueeze(1)).to(torch.int32)
    ids[:, 0] = 2  # [CLS]
    ids[torch.arange(n), lengths - 1] = 3  # [SEP]
    ids = ids.masked_fill(mask == 0, 0)
    offsets = torch.tensor([0] + list(torch.cumsum(torch.tensor(DOC_WINDOWS), 0)))
    labels = torch.randint(0, c["classes"], (len(DOC_WINDOWS),), generator=gen)
    return {"ids": ids.to(torch.int32), "types": torch.zeros(n, S, dtype=torch.int32),
            "mask": mask, "offsets": offsets.to(torch.int32), "labels": labels.to(torch.int32)}


def document_forward(w, pooling, ids, types, mask, offsets, labels, c):
    """Every window through the encoder, its [CLS] row, pooled per document (mean, or
    softmax(cls . query) weights), then pooler, classifier and the mean cross-entropy."""
    cls = encode(w, ids, types, mask, c)[:, 0]
    rows = []
    for d in range(len(offsets) - 1):
        block = cls[offsets[d]:offsets[d + 1]]
        if pooling == "mean":
            rows.append(block.mean(0))
        else:
            rows.append(torch.softmax(block @ w["document_pooling.query"], 0) @ block)
    lin = lambda x, name: F.linear(x, w[name + ".weight"], w[name + ".bias"])
    pooled = torch.tanh(lin(torch.stack(rows), "bert.pooler.dense"))
    logits = lin(pooled, "classifier")
    return logits, F.cross_entropy(logits, labels.long())


def documents():
    """documents.safetensors: "init/<name>" (the classifier's weights and
    document_pooling.query), "docs/ids|types|mask|offsets|labels", and per pooling
    ("mean", "attention") "<pooling>/logits", "<pooling>/loss", "<pooling>/grad/<name>",
    evaluated in float64 on the float32 weights."""
    gen = torch.Generator().manual_seed(11)
    init = init_weights(param_shapes(CFG), gen)
    # Scores q . cls of order 1 (the [CLS] rows are LayerNorm outputs of norm ~8).
    init["document_pooling.query"] = (0.15 * torch.randn(CFG["hidden"], generator=gen)).float()
    docs = make_documents(gen, CFG)
    out = {"docs/" + k: v for k, v in docs.items()}
    for name, t in init.items():
        out["init/" + name] = t
    for pooling in ("mean", "attention"):
        w = {n: t.double().requires_grad_(True) for n, t in init.items()}
        logits, loss = document_forward(w, pooling, **docs, c=CFG)
        loss.backward()
        out[pooling + "/logits"] = logits.detach()
        out[pooling + "/loss"] = loss.detach().reshape(1)
        for n, t in w.items():
            if t.grad is not None:
                out[pooling + "/grad/" + n] = t.grad
        print("%s pooling: loss %.6f" % (pooling, loss.item()))
    write_safetensors(DOCS_OUT, out, {"config": repr(CFG), "windows": repr(DOC_WINDOWS),
                                      "torch": torch.__version__})
    print("%s: %d bytes" % (os.path.relpath(DOCS_OUT), os.path.getsize(DOCS_OUT)))


if __name__ == "__main__":
    # No argument: both files; "tiny" or "documents": that one (tiny.safetensors was made
    # with torch 1.13, documents.safetensors with torch 2.15).
    chosen = sys.argv[1:] or ["tiny", "documents"]
    for name in chosen:
        {"tiny": main, "documents": documents}[name]()
