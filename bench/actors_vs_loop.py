#!/usr/bin/env python3
"""actors_vs_loop.py -- the actor runtime's overhead: `axon bench train --mode actors`
against `--mode loop` (the single training loop), same model flags, side by side.

    python3 bench/actors_vs_loop.py [--runs 3] [--threads 2] [--axon build/bin/axon]
        [--compare LABEL=AXON ...] [--actors "--stages 2 --shards 1 --micro-batches 4"]
        -- [model flags]

Model flags default to the foundation's benchmark config (--layers 4 --hidden 256
--heads 4 --seq 128 --batch 32 --steps 20 --warmup 3). The two modes run alternately,
--runs times each; stdout gets a Markdown table of medians and the ratio actors/loop of
training tokens/s. With --compare (two or more builds, e.g. before and after a change),
each round runs every build's loop and actors in turn, and the table has one row per
build: the medians, the median of the rounds' ratios and each round's ratio (a round's
two runs are next to each other in time, so its ratio is the least disturbed by drift).
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FLAGS = ["--layers", "4", "--hidden", "256", "--heads", "4", "--seq", "128",
                 "--batch", "32", "--steps", "20", "--warmup", "3"]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def parse_arguments(doc, runs, actors):
    """The flags these side-by-side scripts share: --runs, --threads, --axon, --actors."""
    p = argparse.ArgumentParser(description=doc.split("\n")[1])
    p.add_argument("--runs", type=int, default=runs)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--axon", default=os.path.join(ROOT, "build", "bin", "axon"))
    p.add_argument("--actors", default=actors)
    p.add_argument("--compare", action="append", default=[], metavar="LABEL=AXON",
                   help="a build to compare (twice or more); replaces --axon")
    p.add_argument("flags", nargs="*")
    return p.parse_args()


def main():
    a = parse_arguments(__doc__, 3, "--stages 2 --shards 1 --micro-batches 4")
    flags = (a.flags or DEFAULT_FLAGS) + ["--threads", str(a.threads), "--phase", "train"]
    modes = {"loop": ["--mode", "loop"], "actors": ["--mode", "actors"] + shlex.split(a.actors)}
    builds = dict(c.split("=", 1) for c in a.compare) or {"axon": a.axon}
    results = {(b, m): [] for b in builds for m in modes}
    for i in range(a.runs):
        for build, axon in builds.items():
            for mode, extra in modes.items():
                r = run_json([axon, "bench", "train", *flags, *extra])
                results[build, mode].append(r["train_tokens_per_s"])
                print("run %d %s %s: %.0f tok/s (loss %.5f -> %.5f)" % (
                    i, build, mode, r["train_tokens_per_s"], r["loss_first"], r["loss_last"]),
                    file=sys.stderr)
    if not a.compare:
        loop, actors = (statistics.median(results["axon", m]) for m in ("loop", "actors"))
        print("| threads | loop train tok/s | actors (%s) train tok/s | actors / loop |" % a.actors)
        print("|---|---|---|---|")
        print("| %d | %.0f | %.0f | **%.3fx** |" % (a.threads, loop, actors, actors / loop))
        return
    print("| build | loop tok/s (median) | actors tok/s (median) | actors / loop "
          "(median of rounds) | per round |")
    print("|---|---|---|---|---|")
    for build in builds:
        loop, actors = results[build, "loop"], results[build, "actors"]
        ratios = [x / y for x, y in zip(actors, loop)]
        print("| %s | %.0f | %.0f | %.3fx | %s |" % (
            build, statistics.median(loop), statistics.median(actors),
            statistics.median(ratios), ", ".join("%.3f" % r for r in ratios)))


if __name__ == "__main__":
    main()
