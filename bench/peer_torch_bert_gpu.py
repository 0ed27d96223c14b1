#!/usr/bin/env python3
"""peer_torch_bert_gpu.py -- the PyTorch peer of `axon bench train` on a CUDA GPU.

The model, data and FLOP counts are those of the CPU peer, shared/bench/peer_torch_bert.py,
imported (not copied) from --peer-script; this file only moves them to the GPU and times
training steps there, at one precision:
    fp32: fp32 GEMMs (TF32 off)      tf32: fp32 with TF32 tensor cores
    bf16: torch.autocast(bfloat16) -- bf16 GEMMs, fp32 accumulation, fp32 master weights
One step = forward + loss + zero_grad + backward + AdamW (fused) step, as in the CPU peer.
Timing: --warmup untimed steps, then --steps steps between two CUDA events.
Output: progress on stderr; one JSON line on stdout.

    python3 bench/peer_torch_bert_gpu.py --peer-script PATH/peer_torch_bert.py \
        --precision bf16 --layers 12 --hidden 768 --heads 12 --seq 128 --batch 32
"""
import argparse
import importlib.util
import json
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a = p.add_argument
    a("--peer-script", required=True, help="path of shared/bench/peer_torch_bert.py")
    a("--precision", choices=("fp32", "tf32", "bf16"), default="fp32")
    a("--layers", type=int, default=12)
    a("--hidden", type=int, default=768)
    a("--heads", type=int, default=12)
    a("--seq", type=int, default=128)
    a("--batch", type=int, default=32)
    a("--steps", type=int, default=20)
    a("--warmup", type=int, default=5)
    a("--impl", choices=("manual", "torchnn"), default="manual",
      help="manual: explicit softmax(QK^T)V as Axon; torchnn: nn.TransformerEncoder (SDPA)")
    return p.parse_args()


def load_peer(args):
    # The CPU peer parses sys.argv when imported: give it the model's flags.
    sys.argv = [args.peer_script, "--layers", str(args.layers), "--hidden", str(args.hidden),
                "--heads", str(args.heads), "--seq", str(args.seq), "--batch", str(args.batch),
                "--impl", args.impl, "--threads", "1", "--no-peak"]
    spec = importlib.util.spec_from_file_location("peer_torch_bert", args.peer_script)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    return peer


def main():
    args = parse_args()
    peer = load_peer(args)
    torch, F, cfg = peer.torch, peer.F, peer.ARGS
    torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
    torch.backends.cudnn.allow_tf32 = args.precision == "tf32"
    torch.manual_seed(cfg.seed)
    dev = torch.device("cuda")
    model = peer.BertClassifier(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay,
                            fused=True)
    batches = [(ids.to(dev), pad.to(dev), labels.to(dev))
               for ids, pad, labels in peer.make_batches(cfg, args.warmup + args.steps)]
    losses = []

    def step(ids, pad, labels):
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            logits = model(ids, pad)
        loss = F.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for batch in batches[:args.warmup]:
        losses.append(step(*batch))
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for batch in batches[args.warmup:]:
        losses.append(step(*batch))
    end.record()
    torch.cuda.synchronize()
    seconds = start.elapsed_time(end) / 1000.0
    flops = peer.flop_counts(cfg)
    tokens = cfg.batch * cfg.seq * args.steps
    result = {
        "peer": "torch", "torch": torch.__version__, "gpu": torch.cuda.get_device_name(),
        "precision": args.precision, "impl": args.impl, "layers": cfg.layers,
        "hidden": cfg.hidden, "heads": cfg.heads, "seq": cfg.seq, "batch": cfg.batch,
        "steps": args.steps, "warmup": args.warmup,
        "step_ms": 1000.0 * seconds / args.steps,
        "tokens_per_s": tokens / seconds,
        "tflops": flops["flops_train_step"] * args.steps / seconds / 1e12,
        "loss_first": float(losses[0]), "loss_last": float(losses[-1]),
        "max_memory_gib": torch.cuda.max_memory_allocated() / 2**30,
    }
    print(f"{args.precision}: {result['tokens_per_s']:.0f} tokens/s, "
          f"{result['step_ms']:.1f} ms/step", file=sys.stderr)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
