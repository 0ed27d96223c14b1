#!/usr/bin/env python3
"""monitor_overhead.py -- what the console's monitoring costs: `axon bench train --mode actors`
with `--monitor` (probes kept by every actor, the endpoint sampling them once a second)
against the same run without, alternated.

    python3 bench/monitor_overhead.py [--runs 5] [--threads 2] [--axon build/bin/axon]
        [--actors "--stages 2 --shards 2 --micro-batches 4"] -- [model flags]

Model flags default to those of actors_vs_loop.py. stdout gets a Markdown row of medians:
train tokens/s off and on, and the step-time overhead (off/on - 1).
"""
import argparse
import os
import shlex
import statistics
import sys

from actors_vs_loop import DEFAULT_FLAGS, ROOT, run_json


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--axon", default=os.path.join(ROOT, "build", "bin", "axon"))
    p.add_argument("--actors", default="--stages 2 --shards 2 --micro-batches 4")
    p.add_argument("flags", nargs="*")
    a = p.parse_args()
    flags = (a.flags or DEFAULT_FLAGS) + ["--threads", str(a.threads), "--phase", "train",
                                          "--mode", "actors"] + shlex.split(a.actors)
    results = {"off": [], "on": []}
    for i in range(a.runs):
        for setting in ("off", "on"):
            r = run_json([a.axon, "bench", "train", *flags] + (["--monitor"] if setting == "on" else []))
            results[setting].append(r["train_tokens_per_s"])
            print("run %d monitor %s: %.0f tok/s" % (i, setting, r["train_tokens_per_s"]), file=sys.stderr)
    off, on = (statistics.median(results[s]) for s in ("off", "on"))
    print("| model flags | actors | monitor off tok/s | monitor on tok/s | step-time overhead |")
    print("|---|---|---|---|---|")
    print("| %s | %s | %.0f | %.0f | **%+.2f%%** |" % (" ".join(a.flags or DEFAULT_FLAGS), a.actors,
                                                    off, on, 100 * (off / on - 1)))
    print("per run (off / on): " + ", ".join("%.0f/%.0f" % p for p in zip(results["off"], results["on"])))


if __name__ == "__main__":
    main()
