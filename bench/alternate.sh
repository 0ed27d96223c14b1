# Sourced by benchmark scripts that compare two runs of the same work (bench/README-style
# ratios: one machine, alternated order, medians).
# alternate_rounds ROUNDS NAME_A NAME_B RUN_A RUN_B: for each round r, calls `RUN_A r` and
# `RUN_B r` (each prints one figure, higher is better), A first in odd rounds and B first
# in even ones, so that the machine's drift falls on both alike; prints the CPU, each
# round's figures and ratio A / B, the median ratio and the load average before and after.
alternate_rounds() {
  local rounds=$1 name_a=$2 name_b=$3 run_a=$4 run_b=$5 a b ratio r
  local ratios=()
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then a=$("$run_a" "$r"); b=$("$run_b" "$r"); else b=$("$run_b" "$r"); a=$("$run_a" "$r"); fi
    ratio=$(python3 -c "print(f'{$a / $b:.3f}')")
    ratios+=("$ratio")
    echo "round $r: $name_a $a, $name_b $b, ratio $ratio"
  done
  echo "median ratio ($name_a / $name_b) over $rounds rounds: $(python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "${ratios[@]}")"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
