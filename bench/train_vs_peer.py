#!/usr/bin/env python3
"""train_vs_peer.py -- `axon bench train` side by side with current PyTorch.

    python3 bench/train_vs_peer.py [--runs 3] [--threads 1,2] [--axon axon=build/bin/axon]
        [--peer torch2=PYTHON] [--peer torch113=/usr/bin/python3] [--jsonl out.jsonl]
        -- [model flags]

Model flags (default: --layers 4 --hidden 256 --heads 4 --seq 128 --batch 32 --steps 20
--warmup 3) go to every program unchanged. The default peer is PyTorch 2.x from PyPI (MKL
+ oneDNN), whose python ../shared/bench/setup-peer.sh installs into a private venv and
prints; add Debian's torch 1.13 (which shares Axon's OpenBLAS) as a second column with
--peer torch113=/usr/bin/python3, or a second Axon build with --axon NAME=PATH. For each
thread count the programs run alternately, --runs times each (fresh processes), so that
drifts in machine speed hit all alike. Prints one line per run on stderr and, on stdout,
the CPU model and a Markdown table of medians with each Axon's ratio to each peer for
training and inference tokens/s. A peer run whose other_cpu_frac (CPU used by other
processes while it was timed) exceeds 0.05 is flagged: the machine was not quiet.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED_BENCH = os.path.join(ROOT, "..", "shared", "bench")
DEFAULT_FLAGS = ["--layers", "4", "--hidden", "256", "--heads", "4", "--seq", "128",
                 "--batch", "32", "--steps", "20", "--warmup", "3"]
KEYS = ("train_tokens_per_s", "infer_tokens_per_s", "train_step_ms", "train_fwd_ms",
        "train_bwd_ms", "train_opt_ms", "train_gflops", "peak_rss_mib")


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def labelled(items, what):
    pairs = []
    for item in items:
        if "=" not in item:
            sys.exit("train_vs_peer.py: %s %r: expected NAME=PATH" % (what, item))
        pairs.append(tuple(item.split("=", 1)))
    return pairs


def current_torch_python():
    out = subprocess.run(["sh", os.path.join(SHARED_BENCH, "setup-peer.sh")], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--axon", action="append", default=[],
                   help="NAME=PATH of an axon binary (default axon=build/bin/axon)")
    p.add_argument("--peer", action="append", default=[],
                   help="NAME=PYTHON running peer_torch_bert.py (default torch2=the python "
                        "that ../shared/bench/setup-peer.sh prints)")
    p.add_argument("--peer-script", default=os.path.join(SHARED_BENCH, "peer_torch_bert.py"))
    p.add_argument("--jsonl", help="append every run's JSON to this file")
    p.add_argument("flags", nargs="*", help="model flags for all (after --)")
    a = p.parse_args()
    flags = a.flags or DEFAULT_FLAGS
    axons = labelled(a.axon or ["axon=" + os.path.join(ROOT, "build", "bin", "axon")], "--axon")
    peers = labelled(a.peer or ["torch2=" + current_torch_python()], "--peer")
    commands = [(name, [path, "bench", "train", *flags]) for name, path in axons]
    commands += [(name, [python, a.peer_script, *flags, "--no-peak"]) for name, python in peers]
    cpu = cpu_model()
    rows = []
    for threads in [int(t) for t in a.threads.split(",")]:
        runs = {name: [] for name, _ in commands}
        for i in range(a.runs):
            line = []
            for name, cmd in commands:
                r = run_json(cmd + ["--threads", str(threads)])
                r["runner"], r["cpu_model"] = name, cpu
                runs[name].append(r)
                if a.jsonl:
                    with open(a.jsonl, "a") as f:
                        f.write(json.dumps(r) + "\n")
                busy = r.get("other_cpu_frac", 0) > 0.05
                line.append("%s train %.0f infer %.0f%s" % (
                    name, r["train_tokens_per_s"], r["infer_tokens_per_s"],
                    " (machine busy: other_cpu_frac %.2f)" % r["other_cpu_frac"] if busy else ""))
            print("threads=%d run %d: %s" % (threads, i, " | ".join(line)), file=sys.stderr)
        med = {name: {k: statistics.median(r[k] for r in rs if k in r) for k in KEYS
                      if any(k in r for r in rs)} for name, rs in runs.items()}
        rows.append((threads, med))
    print("CPU: %s; model flags: %s" % (cpu, " ".join(flags)))
    print()
    names = [name for name, _ in commands]
    print("| threads | " + " | ".join("%s train tok/s" % n for n in names) + " | "
          + " | ".join("%s infer tok/s" % n for n in names) + " | "
          + " | ".join("%s/%s train, infer" % (x, y) for x, _ in axons for y, _ in peers)
          + " | " + " | ".join("%s step ms (fwd/bwd/opt)" % n for n in names) + " | "
          + " | ".join("%s peak RSS MiB" % n for n in names) + " |")
    print("|---" * (1 + 2 * len(names) + len(axons) * len(peers) + 2 * len(names)) + "|")
    for threads, m in rows:
        cells = [str(threads)]
        cells += ["%.0f" % m[n]["train_tokens_per_s"] for n in names]
        cells += ["%.0f" % m[n]["infer_tokens_per_s"] for n in names]
        cells += ["**%.2fx**, **%.2fx**" % (
            m[x]["train_tokens_per_s"] / m[y]["train_tokens_per_s"],
            m[x]["infer_tokens_per_s"] / m[y]["infer_tokens_per_s"])
            for x, _ in axons for y, _ in peers]
        cells += ["%.0f (%.0f/%.0f/%.0f)" % (m[n]["train_step_ms"], m[n].get("train_fwd_ms", 0),
                                            m[n].get("train_bwd_ms", 0), m[n].get("train_opt_ms", 0))
                  for n in names]
        cells += ["%.0f" % m[n]["peak_rss_mib"] for n in names]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
