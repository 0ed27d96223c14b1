#!/usr/bin/python3
"""PyTorch reference values for the CPU ops, read by test/ops/torch_reference_test.cpp.

Regenerate with a python that has torch (Debian's python3-torch 1.13 made the first files;
window_pooling was made with torch 2.15 from `../shared/bench/setup-peer.sh`):
    PYTHON test/make_op_references.py [OP...]
It rewrites test/reference/ops/<op>.safetensors, of every op or of the ops named (e.g.
window_pooling: mean_pool and attention_pool). The files are checked in; CI never runs this.
The ops before window_pooling share one generator, so regenerate those together.

Each file holds, per case, tensors named "<case>/<name>": the inputs, the upstream gradient
dout, and torch's outputs and gradients. "__metadata__" has "cases" (comma-separated, in
order) and per-case scalars as "<case>/<key>" strings (n_heads, eps, ignore_index, ...).
The "multi_chunk" cases are big enough to cross the ops' parallel_for grains, so the test
(which runs every case inline and on a 4-thread compute pool) covers chunk boundaries.
Inputs are stored as float32; the ops are then evaluated in float64 on exactly those inputs,
so the reference is the true answer that our float32 ops are held to. adamw and clip_grad
run in float32, because their spec is torch's own float32 arithmetic, step for step.
The safetensors writer is by hand (struct + json), so no extra package is needed.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "ops")
gen = torch.Generator().manual_seed(20240611)


def randn(*shape, scale=1.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float32) * scale


def randint(high, *shape):
    return torch.randint(0, high, shape, generator=gen, dtype=torch.int32)


def f64(t):
    """A float64 leaf with gradients, from the float32 value stored in the file."""
    return t.detach().to(torch.float64).requires_grad_(True)


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.float64:
            t = t.to(torch.float32)
        if t.dtype == torch.int64:
            t = t.to(torch.int32)
        code = {torch.float32: ("F32", "f"), torch.int32: ("I32", "i")}[t.dtype]
        flat = t.reshape(-1).tolist()
        blob = struct.pack("<%d%s" % (len(flat), code[1]), *flat)
        header[name] = {"dtype": code[0], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


class op_file:
    """Collects the cases of one op, then writes <op>.safetensors."""

    def __init__(self, op):
        self.op, self.tensors, self.meta, self.cases = op, {}, {}, []

    def case(self, name, scalars=None, **tensors):
        self.cases.append(name)
        for key, value in (scalars or {}).items():
            self.meta[name + "/" + key] = value
        for key, value in tensors.items():
            if value is not None:
                self.tensors[name + "/" + key] = value

    def write(self):
        self.meta["cases"] = ",".join(self.cases)
        self.meta["op"] = self.op
        path = os.path.join(OUT_DIR, self.op + ".safetensors")
        write_safetensors(path, self.tensors, self.meta)
        print("%-40s %7d bytes" % (os.path.relpath(path), os.path.getsize(path)))


def grad_of(t):
    return t.grad if t is not None else None


def linear():
    f = op_file("linear")
    for name, lead, c, oc, bias, scale in [("basic", (2, 3), 8, 6, True, 1.0),
                                           ("batch1_row1", (1, 1), 5, 3, True, 1.0),
                                           ("no_bias", (4,), 7, 5, False, 1.0),
                                           ("wide", (3,), 96, 16, True, 1.0),
                                           ("large_values", (2, 2), 12, 4, True, 30.0),
                                           ("multi_chunk", (40,), 24, 40, True, 1.0),
                                           # fewer rows than outputs: split by columns
                                           ("column_chunks", (20,), 24, 200, True, 1.0)]:
        inp, weight = randn(*lead, c, scale=scale), randn(oc, c, scale=0.3)
        b = randn(oc) if bias else None
        dout = randn(*lead, oc)
        x, w, bb = f64(inp), f64(weight), f64(b) if bias else None
        out = F.linear(x, w, bb)
        out.backward(dout.double())
        f.case(name, inp=inp, weight=weight, bias=b, dout=dout, out=out, dinp=x.grad,
               dweight=w.grad, dbias=grad_of(bb))
    f.write()


def embedding():
    f = op_file("embedding")
    for name, b, t, v, p, tt, c, with_types, with_table in [
            ("basic", 2, 5, 11, 8, 2, 6, True, True),
            ("batch1_seq1", 1, 1, 4, 3, 2, 5, True, True),
            ("no_types", 2, 4, 7, 4, 2, 3, False, True),
            ("no_type_table", 3, 3, 5, 6, 0, 4, False, False),
            ("multi_chunk", 2, 65, 30, 70, 2, 20, True, True)]:
        ids = randint(v, b, t)
        ids.view(-1)[-1] = ids.view(-1)[0]  # a repeated id: its gradient rows add up
        types = randint(tt, b, t) if with_types else None
        wte, wpe = randn(v, c), randn(p, c)
        wtt = randn(tt, c) if with_table else None
        dout = randn(b, t, c)
        e, pe = f64(wte), f64(wpe)
        tte = f64(wtt) if with_table else None
        out = e[ids.long()] + pe[:t].unsqueeze(0)
        if with_table:
            type_ids = types.long() if with_types else torch.zeros(b, t, dtype=torch.long)
            out = out + tte[type_ids]
        out.backward(dout.double())
        f.case(name, ids=ids, types=types, wte=wte, wpe=wpe, wtt=wtt, dout=dout, out=out,
               dwte=e.grad, dwpe=pe.grad, dwtt=grad_of(tte))
    f.write()


def layernorm():
    f = op_file("layernorm")
    # Rows with offset / spread up to 100. The error of any float32 layernorm grows like
    # offset / spread * 2^-24 (the saved float mean alone is off by half an ulp of the
    # offset, and dinp scales that by rstd): at 1000, torch's own float32 layernorm misses
    # this file's tolerance by more than 10x, so larger ratios would test float32, not the op.
    offsets = torch.tensor([[20.0], [-50.0], [100.0], [3.0]])
    spreads = torch.tensor([[0.2], [0.5], [1.0], [0.05]])
    inputs = {
        "basic": randn(2, 3, 16, scale=2.0) + 0.5,
        "row1": randn(1, 8),
        "offset_small_var": (randn(4, 32) * spreads + offsets),
        "bert_width_offset": randn(2, 768) * torch.tensor([[1.0], [0.5]])
                             + torch.tensor([[8.0], [-20.0]]),
        "multi_chunk": randn(70, 16),
    }
    for name, inp in inputs.items():
        c = inp.shape[-1]
        eps = 1e-12
        weight, bias, dout = 1.0 + randn(c, scale=0.1), randn(c, scale=0.1), randn(*inp.shape)
        x, w, bb = f64(inp), f64(weight), f64(bias)
        out = F.layer_norm(x, (c,), w, bb, eps)
        out.backward(dout.double())
        xd = inp.double().reshape(-1, c)
        mean = xd.mean(-1)
        rstd = 1.0 / torch.sqrt(xd.var(-1, unbiased=False) + eps)
        f.case(name, {"eps": repr(eps)}, inp=inp, weight=weight, bias=bias, dout=dout,
               out=out, mean=mean, rstd=rstd, dinp=x.grad, dweight=w.grad, dbias=bb.grad)
    f.write()


def gelu():
    f = op_file("gelu")
    large = torch.cat([torch.linspace(-20, 20, 81),
                       torch.tensor([-40.0, 40.0, -6.0, -5.5, -3.0, 1e-3, -1e-3, 0.0, 1e-30])])
    for name, inp in [("basic", randn(4, 16, scale=2.0)), ("large_abs", large.reshape(5, 18))]:
        dout = randn(*inp.shape)
        x = f64(inp)
        out = F.gelu(x)  # exact erf form
        out.backward(dout.double())
        f.case(name, inp=inp, dout=dout, out=out, dinp=x.grad)
    f.write()


def softmax():
    f = op_file("softmax")
    large = randn(4, 9, scale=50.0)
    large[0, :] = torch.tensor([100.0, 100.0, -100.0, 99.0, 0.0, -50.0, 100.0, 30.0, 88.0])
    large[1, :] = torch.linspace(-100, 100, 9)
    inputs = {
        "basic": randn(3, 7),
        "large_logits": large,
        "single_entry": randn(3, 1, scale=10.0),
        "rank4": randn(2, 2, 3, 5, scale=3.0),
        "constant_rows": torch.full((2, 6), 7.5),
        "multi_chunk": randn(40, 12, scale=3.0),
    }
    for name, inp in inputs.items():
        dout = randn(*inp.shape)
        x = f64(inp)
        out = torch.softmax(x, -1)
        out.backward(dout.double())
        f.case(name, inp=inp, dout=dout, out=out, dinp=x.grad)
    f.write()


def attention_reference(qkv, key_mask, n_heads):
    """As ops/cpu/attention.hpp: per head softmax(Q K^T / sqrt(HS) over real keys) V; a
    batch row whose keys are all padding attends to all its keys."""
    b, t, c3 = qkv.shape
    c = c3 // 3
    hs = c // n_heads
    q, k, v = qkv.split(c, dim=2)
    heads = lambda x: x.view(b, t, n_heads, hs).transpose(1, 2)  # (B,NH,T,HS)
    q, k, v = heads(q), heads(k), heads(v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hs)  # (B,NH,T,T)
    if key_mask is not None:
        mask = key_mask.bool().clone()
        mask[~mask.any(dim=1)] = True  # all padding: attend to all keys
        scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    out = (probs @ v).transpose(1, 2).reshape(b, t, c)
    return out, probs


def attention():
    f = op_file("attention")
    cases = [
        ("basic", 2, 5, 8, 2, None, 1.0),
        ("padding", 3, 6, 12, 3, [[1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0], [1] * 6], 1.0),
        ("one_key_each", 2, 4, 8, 2, [[0, 0, 1, 0], [0, 0, 0, 1]], 1.0),
        ("all_masked_row", 2, 4, 8, 2, [[1, 1, 0, 0], [0, 0, 0, 0]], 1.0),
        ("seq1_batch1", 1, 1, 8, 2, [[1]], 1.0),
        ("large_scores", 2, 5, 8, 1, [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], 4.0),
    ]
    for name, b, t, c, nh, mask, scale in cases:
        qkv = randn(b, t, 3 * c, scale=scale)
        key_mask = torch.tensor(mask, dtype=torch.int32) if mask is not None else None
        dout = randn(b, t, c)
        x = f64(qkv)
        out, probs = attention_reference(x, key_mask, nh)
        out.backward(dout.double())
        f.case(name, {"n_heads": nh}, qkv=qkv, key_mask=key_mask, dout=dout, out=out,
               probs=probs, dqkv=x.grad)
    f.write()


def pooler():
    f = op_file("pooler")
    for name, b, t, c, wscale in [("basic", 3, 4, 8, 0.3), ("batch1_seq1", 1, 1, 6, 0.3),
                                  ("saturated", 2, 3, 8, 3.0)]:
        inp, weight, bias = randn(b, t, c), randn(c, c, scale=wscale), randn(c, scale=0.2)
        dout = randn(b, c)
        x, w, bb = f64(inp), f64(weight), f64(bias)
        out = torch.tanh(F.linear(x[:, 0], w, bb))
        out.backward(dout.double())
        f.case(name, inp=inp, weight=weight, bias=bias, dout=dout, out=out, dinp=x.grad,
               dweight=w.grad, dbias=bb.grad)
    f.write()


def cross_entropy():
    f = op_file("cross_entropy")
    large = randn(5, 12, scale=50.0)
    large[0, 3] = 100.0  # confident and right (target 3)
    large[1, 7] = 100.0  # confident and wrong (target 0)
    cases = [
        ("basic", randn(6, 10, scale=2.0), [3, -100, 0, 9, -100, 5], -100, 1.0),
        ("large_logits", large, [3, 0, 11, 5, 6], -100, 1.0),
        ("single_row", randn(1, 5), [4], -100, 1.0),
        ("custom_ignore", randn(4, 6), [3, 1, 3, 0], 3, 1.0),
        ("dloss_scaled", randn(3, 4), [1, 2, -100], -100, 0.25),
        ("multi_chunk", randn(40, 8, scale=2.0), [(7 * i) % 8 if i % 5 else -100
                                                  for i in range(40)], -100, 1.0),
    ]
    for name, logits, targets, ignore, dloss in cases:
        targets = torch.tensor(targets, dtype=torch.int32)
        z = f64(logits)
        loss = F.cross_entropy(z, targets.long(), ignore_index=ignore, reduction="mean")
        (loss * dloss).backward()
        losses = F.cross_entropy(logits.double(), targets.long(), ignore_index=ignore,
                                 reduction="none")
        probs = torch.softmax(logits.double(), -1)
        f.case(name, {"ignore_index": ignore}, logits=logits, targets=targets,
               dloss=torch.tensor([dloss]), loss=loss.reshape(1), losses=losses, probs=probs,
               dlogits=z.grad)
    f.write()


def adamw():
    f = op_file("adamw")
    cases = [
        ("default", (4, 5), 6, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
        ("aggressive", (3, 7), 5, dict(lr=0.1, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    ]
    for name, shape, steps, hp in cases:
        param0 = randn(*shape)
        grads = randn(steps, *shape)
        if name == "aggressive":
            grads[:, 0] *= 1e3   # huge gradients in one row
            grads[:, 1] *= 1e-4  # tiny ones in another
            grads[1:3, 2] = 0.0  # and zeros for a while
        p = param0.clone().requires_grad_(True)
        opt = torch.optim.AdamW([p], foreach=False, **hp)
        after = []
        for s in range(steps):
            p.grad = grads[s].clone()
            opt.step()
            after.append(p.detach().clone())
        state = opt.state[p]
        scalars = {"lr": repr(hp["lr"]), "beta1": repr(hp["betas"][0]),
                   "beta2": repr(hp["betas"][1]), "eps": repr(hp["eps"]),
                   "weight_decay": repr(hp["weight_decay"]), "steps": steps}
        f.case(name, scalars, param0=param0, grads=grads, params=torch.stack(after),
               exp_avg=state["exp_avg"], exp_avg_sq=state["exp_avg_sq"])
    f.write()


def clip_grad():
    f = op_file("clip_grad")
    for name, scale, max_norm in [("below", 0.1, 1.0), ("above", 3.0, 1.0)]:
        grads = [randn(3, 4, scale=scale), randn(5, scale=scale), randn(2, 2, 2, scale=scale)]
        params = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2.0)
        tensors = {"norm": norm.reshape(1)}
        for i, (p, g) in enumerate(zip(params, grads)):
            tensors["grad%d" % i] = g
            tensors["clipped%d" % i] = p.grad
        f.case(name, {"max_norm": repr(max_norm), "count": len(grads)}, **tensors)
    f.write()


def window_pooling():
    """mean_pool and attention_pool over each document's windows (rows offsets[d] to
    offsets[d+1]). Their own generator, so that they can be made alone (an op name on the
    command line) without moving the inputs of the files above."""
    g = torch.Generator().manual_seed(20250222)

    def rand(*shape, scale=1.0):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * scale

    # windows per document, C, scale of the inputs, scale of the query
    cases = [("basic", [3, 1, 4], 6, 1.0, 0.5),
             ("one_window", [1], 5, 1.0, 0.5),
             ("empty_document", [2, 0, 3], 4, 1.0, 0.5),
             ("peaked", [5, 2], 8, 4.0, 1.0),  # scores up to ~50: one window takes it all
             ("zero_query", [4, 3], 6, 1.0, 0.0),  # attention = mean pooling
             ("many_windows", [64, 17, 1], 32, 1.0, 0.2)]
    mean, attention = op_file("mean_pool"), op_file("attention_pool")
    for name, windows, c, scale, qscale in cases:
        offsets = torch.tensor([0] + list(torch.cumsum(torch.tensor(windows), 0)),
                               dtype=torch.int32)
        inp, query = rand(sum(windows), c, scale=scale), rand(c, scale=qscale)
        dout = rand(len(windows), c)
        # mean
        x = f64(inp)
        rows = [x[offsets[d]:offsets[d + 1]].mean(0) if windows[d] else torch.zeros(c).double()
                for d in range(len(windows))]
        out = torch.stack(rows)
        out.backward(dout.double())
        mean.case(name, offsets=offsets, inp=inp, dout=dout, out=out, dinp=x.grad)
        # attention
        x, q = f64(inp), f64(query)
        rows, probs = [], []
        for d in range(len(windows)):
            block = x[offsets[d]:offsets[d + 1]]
            if windows[d] == 0:
                rows.append(torch.zeros(c).double())
                continue
            p = torch.softmax(block @ q, 0)
            probs.append(p)
            rows.append(p @ block)
        out = torch.stack(rows)
        out.backward(dout.double())
        attention.case(name, offsets=offsets, inp=inp, query=query, dout=dout, out=out,
                       probs=torch.cat(probs), dinp=x.grad, dquery=q.grad)
    mean.write()
    attention.write()


if __name__ == "__main__":
    import sys
    os.makedirs(OUT_DIR, exist_ok=True)
    makers = [linear, embedding, layernorm, gelu, softmax, attention, pooler,
              cross_entropy, adamw, clip_grad, window_pooling]
    chosen = sys.argv[1:]
    unknown = set(chosen) - {m.__name__ for m in makers}
    if unknown:
        sys.exit("unknown op(s) %s; choose from %s" % (", ".join(sorted(unknown)),
                                                         ", ".join(m.__name__ for m in makers)))
    for make in makers:  # in this order: the shared generator's draws stay where they were
        if not chosen or make.__name__ in chosen:
            make()
