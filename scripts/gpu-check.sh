#!/usr/bin/env bash
# The device check of issue #9, for ONE call on a GPU machine that has CUDA 13, PyTorch and
# Python but no CAF, Boost or OpenBLAS. Builds nothing: runs what scripts/gpu-bundle.sh
# prepared (carry that folder), each part under a hard timeout, and writes
# $OUT/gpu-summary.json, $OUT/gpu-tests.log and $OUT/bench.log (three files: the device
# tool returns at most eight) -- about 3 minutes in all:
#   1. the gpu-labelled tests (what `ctest -L gpu` runs, with its OPENBLAS_NUM_THREADS=1:
#      every CUDA op against its CPU op, device memory), with the bundled shared libraries
#      on LD_LIBRARY_PATH;
#   2. the PyTorch peer training BERT-base (L12 H768 A12 S128, batch 32) at fp32 and bf16;
#   3. `axon bench train --device cuda` at the same configuration, when the bundle has an
#      axon that supports it; otherwise the summary says it was skipped and why.
#   scripts/gpu-check.sh [BUNDLE]          (default: build-cuda/gpu-bundle)
set -uo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-build-cuda/gpu-bundle}"
out="${OUT:-/tmp/gpu-check}"
mkdir -p "$out"
tmp="$(mktemp -d)"
[ -d "$bundle/bin" ] || { echo "no bundle at $bundle: run scripts/gpu-bundle.sh first" >&2; exit 1; }
bert=(--layers 12 --hidden 768 --heads 12 --seq 128 --batch 32)
parts="$tmp/parts.jsonl" # one JSON object per part; gpu-summary.json gathers them
: > "$parts"
part() { python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@" >> "$parts"; }

# cuBLAS 13 comes from the machine: the CUDA toolkit, or PyTorch's nvidia wheels.
cublas_dir=""
for dir in "${CUDA_HOME:-/usr/local/cuda}/lib64" /usr/local/cuda/lib64 \
           $(python3 -c 'import glob,site; print(" ".join(sorted({p.rsplit("/",1)[0] for s in site.getsitepackages() for p in glob.glob(s+"/nvidia/**/libcublas.so.13", recursive=True)})))' 2>/dev/null); do
  if [ -f "$dir/libcublas.so.13" ]; then cublas_dir="$dir"; break; fi
done
libs="$PWD/$bundle/lib${cublas_dir:+:$cublas_dir}"
gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
part part machine gpu "$gpu" cublas_dir "${cublas_dir:-not found}"

# 1. GPU tests
while read -r name; do
  start=$(date +%s.%N)
  echo "=== $name" >> "$out/gpu-tests.log"
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH="$libs" timeout 240 "$bundle/bin/$name" --report_level=short \
    --log_level=test_suite >> "$out/gpu-tests.log" 2>&1
  rc=$?
  seconds=$(python3 -c "import time; print(round(time.time() - $start, 1))")
  case $rc in 0) verdict=passed ;; 77) verdict=skipped ;; 124) verdict=timeout ;; *) verdict=failed ;; esac
  part part test name "$name" result "$verdict" exit_code "$rc" seconds "$seconds"
  echo "$name: $verdict (exit $rc, ${seconds}s)"
done < "$bundle/gpu-tests.txt"

# 2. PyTorch peer
peer_script="$(ls "$bundle"/peer/peer_torch_bert.py 2>/dev/null)"
for precision in fp32 bf16; do
  if [ -z "$peer_script" ]; then
    part part torch precision "$precision" result skipped reason "peer script not in the bundle"
    continue
  fi
  PYTHONUNBUFFERED=1 timeout 120 python3 bench/peer_torch_bert_gpu.py --peer-script "$peer_script" \
    --precision "$precision" "${bert[@]}" > "$tmp/torch.json" 2> "$tmp/torch.log"
  rc=$?
  { echo "=== torch $precision (exit $rc)"; cat "$tmp/torch.log"; } >> "$out/bench.log"
  if [ $rc -eq 0 ]; then
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["part"]="torch"; r["result"]="ran"; print(json.dumps(r))' \
      "$tmp/torch.json" >> "$parts"
  else
    part part torch precision "$precision" result failed exit_code "$rc"
  fi
done

# 3. Axon on the GPU
if [ -x "$bundle/bin/axon" ]; then
  for precision in fp32 bf16; do
    LD_LIBRARY_PATH="$libs" timeout 120 "$bundle/bin/axon" bench train --device cuda \
      --precision "$precision" --phase train "${bert[@]}" > "$tmp/axon.json" 2> "$tmp/axon.log"
    rc=$?
    { echo "=== axon $precision (exit $rc)"; cat "$tmp/axon.log"; } >> "$out/bench.log"
    part part axon precision "$precision" exit_code "$rc" output "$(tail -c 2000 "$tmp/axon.json")"
  done
else
  part part axon result skipped reason "this build's axon has no --device flag: GPU-resident stages (issue #9 part 3) are not built yet"
fi

python3 - "$parts" "$out/gpu-summary.json" <<'PY'
import json, sys
parts = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
summary = {"machine": next((p for p in parts if p["part"] == "machine"), {}),
           "tests": [p for p in parts if p["part"] == "test"],
           "torch": [p for p in parts if p["part"] == "torch"],
           "axon": [p for p in parts if p["part"] == "axon"]}
json.dump(summary, open(sys.argv[2], "w"), indent=2)
print(json.dumps(summary, indent=2))
PY
rm -rf "$tmp"
