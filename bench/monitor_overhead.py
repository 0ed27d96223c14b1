#!/usr/bin/env python3
"""monitor_overhead.py -- what the console's monitoring costs: `axon bench train --mode actors`
without monitoring, with `--monitor` (probes kept by every actor, the endpoint sampling them
once a second), and with `--monitor` plus a client asking for `top` every second, alternated.

    python3 bench/monitor_overhead.py [--runs 5] [--threads 2] [--axon build/bin/axon]
        [--actors "--stages 2 --shards 2 --micro-batches 4"] -- [model flags]

Model flags default to those of actors_vs_loop.py. stdout gets a Markdown row of medians:
train tokens/s and CPU time per step for each setting, and the overhead of each monitored
setting over the unmonitored one.
"""
import json
import re
import shlex
import statistics
import subprocess
import sys
import threading

from actors_vs_loop import DEFAULT_FLAGS, parse_arguments

SETTINGS = ("off", "on", "on+client")


def run_bench(axon, flags, setting):
    """One `axon bench train` run; with a client, `axon console ADDR -c top` once a second."""
    cmd = [axon, "bench", "train", *flags] + ([] if setting == "off" else ["--monitor"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def poll(address):
        while not done.wait(1.0):
            subprocess.run([axon, "console", address, "-c", "top"], capture_output=True)

    client = None
    for line in proc.stderr:
        found = re.search(r"monitor endpoint on (\S+)", line)
        if found and setting == "on+client":
            client = threading.Thread(target=poll, args=(found.group(1),))
            client.start()
        if line.startswith("axon bench train: mode="):
            break
    out, _ = proc.communicate()
    done.set()
    if client:
        client.join()
    if proc.returncode != 0:
        sys.exit("axon bench train failed: " + " ".join(cmd))
    return json.loads(out.strip().splitlines()[-1])


def main():
    a = parse_arguments(__doc__, 5, "--stages 2 --shards 2 --micro-batches 4")
    model = a.flags or DEFAULT_FLAGS
    flags = model + ["--threads", str(a.threads), "--phase", "train", "--mode", "actors"] \
        + shlex.split(a.actors)
    results = {s: [] for s in SETTINGS}
    cpu = {s: [] for s in SETTINGS}
    for i in range(a.runs):
        for setting in SETTINGS:
            r = run_bench(a.axon, flags, setting)
            results[setting].append(r["train_tokens_per_s"])
            cpu[setting].append(r["train_cpu_ms_per_step"])
            print("run %d monitor %s: %.0f tok/s, %.2f CPU ms/step" % (
                i, setting, r["train_tokens_per_s"], r["train_cpu_ms_per_step"]), file=sys.stderr)
    med = {s: statistics.median(results[s]) for s in SETTINGS}
    med_cpu = {s: statistics.median(cpu[s]) for s in SETTINGS}
    print("| model flags | actors | off / on / on+client tok/s | wall overhead on, on+client "
          "| off / on / on+client CPU ms/step | CPU overhead on, on+client |")
    print("|---|---|---|---|---|---|")
    print("| %s | %s | %.0f / %.0f / %.0f | %+.2f%%, %+.2f%% | %.2f / %.2f / %.2f | **%+.2f%%, %+.2f%%** |" % (
        " ".join(model), a.actors, med["off"], med["on"], med["on+client"],
        100 * (med["off"] / med["on"] - 1), 100 * (med["off"] / med["on+client"] - 1),
        med_cpu["off"], med_cpu["on"], med_cpu["on+client"],
        100 * (med_cpu["on"] / med_cpu["off"] - 1), 100 * (med_cpu["on+client"] / med_cpu["off"] - 1)))
    print("per run tok/s (off / on / on+client): " + ", ".join(
        "%.0f/%.0f/%.0f" % t for t in zip(*(results[s] for s in SETTINGS))))
    print("per run CPU ms/step (off / on / on+client): " + ", ".join(
        "%.2f/%.2f/%.2f" % t for t in zip(*(cpu[s] for s in SETTINGS))))


if __name__ == "__main__":
    main()
