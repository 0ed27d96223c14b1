#!/usr/bin/env python3
"""train_vs_peer.py -- `axon bench train` side by side with the PyTorch peer.

    python3 bench/train_vs_peer.py [--runs 3] [--threads 1,2] [--axon build/bin/axon]
        [--peer ../shared/bench/peer_torch_bert.py] [--jsonl out.jsonl] -- [model flags]

Model flags (default: --layers 4 --hidden 256 --heads 4 --seq 128 --batch 32 --steps 20
--warmup 3) go to both programs unchanged. For each thread count, the two programs run
alternately, --runs times each (fresh processes), so that drifts in machine speed hit both
alike. The peer runs under Debian's /usr/bin/python3 (torch 1.13) with --no-peak.
Prints one line per run on stderr and, on stdout, a Markdown table of medians with the
ratio axon/peer for training and inference tokens/s. A peer run whose other_cpu_frac (CPU
used by other processes while it was timed) exceeds 0.05 is flagged: the machine was not
quiet.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_FLAGS = ["--layers", "4", "--hidden", "256", "--heads", "4", "--seq", "128",
                 "--batch", "32", "--steps", "20", "--warmup", "3"]


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--axon", default=os.path.join(ROOT, "build", "bin", "axon"))
    p.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench",
                                                  "peer_torch_bert.py"))
    p.add_argument("--jsonl", help="append every run's JSON to this file")
    p.add_argument("flags", nargs="*", help="model flags for both (after --)")
    a = p.parse_args()
    flags = a.flags or DEFAULT_FLAGS
    rows = []
    for threads in [int(t) for t in a.threads.split(",")]:
        runs = {"axon": [], "peer": []}
        for i in range(a.runs):
            axon = run_json([a.axon, "bench", "train", *flags, "--threads", str(threads)])
            peer = run_json(["/usr/bin/python3", a.peer, *flags, "--threads", str(threads),
                             "--no-peak"])
            for name, r in (("axon", axon), ("peer", peer)):
                r["runner"] = name
                runs[name].append(r)
                if a.jsonl:
                    with open(a.jsonl, "a") as f:
                        f.write(json.dumps(r) + "\n")
            noisy = peer.get("other_cpu_frac", 0) > 0.05
            print("threads=%d run %d: axon train %.0f infer %.0f | peer train %.0f infer %.0f%s"
                  % (threads, i, axon["train_tokens_per_s"], axon["infer_tokens_per_s"],
                     peer["train_tokens_per_s"], peer["infer_tokens_per_s"],
                     "  (machine busy: other_cpu_frac %.2f)" % peer["other_cpu_frac"]
                     if noisy else ""), file=sys.stderr)
        med = {name: {k: statistics.median(r[k] for r in rs)
                      for k in ("train_tokens_per_s", "infer_tokens_per_s", "train_step_ms",
                                "train_fwd_ms", "train_bwd_ms", "train_opt_ms",
                                "peak_rss_mib")}
               for name, rs in runs.items()}
        rows.append((threads, med))
    print("| threads | axon train tok/s | peer train tok/s | train ratio | axon infer tok/s "
          "| peer infer tok/s | infer ratio | axon step ms (fwd/bwd/opt) | peer step ms "
          "(fwd/bwd/opt) | axon / peer peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for threads, m in rows:
        ax, pe = m["axon"], m["peer"]
        print("| %d | %.0f | %.0f | **%.2fx** | %.0f | %.0f | **%.2fx** | %.0f (%.0f/%.0f/%.0f) "
              "| %.0f (%.0f/%.0f/%.0f) | %.0f / %.0f |"
              % (threads, ax["train_tokens_per_s"], pe["train_tokens_per_s"],
                 ax["train_tokens_per_s"] / pe["train_tokens_per_s"], ax["infer_tokens_per_s"],
                 pe["infer_tokens_per_s"], ax["infer_tokens_per_s"] / pe["infer_tokens_per_s"],
                 ax["train_step_ms"], ax["train_fwd_ms"], ax["train_bwd_ms"], ax["train_opt_ms"],
                 pe["train_step_ms"], pe["train_fwd_ms"], pe["train_bwd_ms"], pe["train_opt_ms"],
                 ax["peak_rss_mib"], pe["peak_rss_mib"]))


if __name__ == "__main__":
    main()
