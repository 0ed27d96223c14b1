#!/usr/bin/env bash
# The device check of issue #9, for ONE call on a GPU machine that has CUDA 13, PyTorch and
# Python but no CAF, Boost or OpenBLAS. Builds nothing: runs what scripts/gpu-bundle.sh
# prepared (carry that folder), each part under a hard timeout, and writes
# $OUT/gpu-summary.json, $OUT/gpu-tests.log and $OUT/bench.log (three files: the device
# tool returns at most eight) -- about 4 minutes expected; every part at its time limit
# (each of 4 test programs 100 s, each of 3 PyTorch runs 50 s, each of 5 Axon runs 40 s)
# would take 12.5, so the last parts may be cut by the device tool's 10-minute limit:
#   1. the gpu-labelled tests (what `ctest -L gpu` runs, with its OPENBLAS_NUM_THREADS=1:
#      every CUDA op against its CPU op, device memory, training steps and actor graphs
#      against the CPU, `axon serve` with replicas on the GPU against `axon predict`), with
#      the bundled shared libraries on LD_LIBRARY_PATH and AXON_COMMAND the bundle's axon;
#   2. the PyTorch peer training BERT-base (L12 H768 A12 S128, batch 32) at fp32, tf32 and
#      bf16;
#   3. `axon bench train --device cuda` at the same configuration (single loop at f32, tf32
#      and bf16, and bf16 with fused attention; the actor graph at bf16), and the
#      Axon/PyTorch tokens/s ratios.
#   scripts/gpu-check.sh [BUNDLE]   a folder or its .tar.gz (default: build-cuda/gpu-bundle.tar.gz)
set -uo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-build-cuda/gpu-bundle.tar.gz}"
out="${OUT:-/tmp/gpu-check}"
mkdir -p "$out"
tmp="$(mktemp -d)"
if [[ "$bundle" == *.tar.gz ]]; then # as carried: unpack it here
  tar -C "$tmp" -xzf "$bundle" || { echo "cannot unpack $bundle" >&2; exit 1; }
  bundle="$tmp/gpu-bundle"
fi
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
libs="$(cd "$bundle" && pwd)/lib${cublas_dir:+:$cublas_dir}"
gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
part part machine gpu "$gpu" cublas_dir "${cublas_dir:-not found}"

# 1. GPU tests
while read -r name; do
  start=$(date +%s.%N)
  echo "=== $name" >> "$out/gpu-tests.log"
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH="$libs" AXON_COMMAND="$bundle/bin/axon" \
    timeout 100 "$bundle/bin/$name" --report_level=short \
    --log_level=test_suite >> "$out/gpu-tests.log" 2>&1
  rc=$?
  seconds=$(python3 -c "import time; print(round(time.time() - $start, 1))")
  case $rc in 0) verdict=passed ;; 77) verdict=skipped ;; 124) verdict=timeout ;; *) verdict=failed ;; esac
  part part test name "$name" result "$verdict" exit_code "$rc" seconds "$seconds"
  echo "$name: $verdict (exit $rc, ${seconds}s)"
done < "$bundle/gpu-tests.txt"

# 2. PyTorch peer
peer_script="$(ls "$bundle"/peer/peer_torch_bert.py 2>/dev/null)"
for precision in fp32 tf32 bf16; do
  if [ -z "$peer_script" ]; then
    part part torch precision "$precision" result skipped reason "peer script not in the bundle"
    continue
  fi
  PYTHONUNBUFFERED=1 timeout 50 python3 bench/peer_torch_bert_gpu.py --peer-script "$peer_script" \
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

# 3. Axon on the GPU: the single loop at each precision (PyTorch's fp32/bf16 names are
#    Axon's f32/bf16), then the actor graph (one stage and its optimizer actor on the GPU).
axon_run() { # NAME FLAGS...
  local name="$1"; shift
  LD_LIBRARY_PATH="$libs" timeout 40 "$bundle/bin/axon" bench train --phase train --repeats 3 \
    "${bert[@]}" "$@" > "$tmp/axon.json" 2> "$tmp/axon.log"
  local rc=$?
  { echo "=== axon $name (exit $rc)"; cat "$tmp/axon.log"; } >> "$out/bench.log"
  if [ $rc -eq 0 ]; then
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["part"]="axon"; r["run"]=sys.argv[2]; print(json.dumps(r))' \
      "$tmp/axon.json" "$name" >> "$parts"
  else
    part part axon run "$name" result failed exit_code "$rc" stderr "$(tail -c 1500 "$tmp/axon.log")"
  fi
}
if [ -x "$bundle/bin/axon" ]; then
  axon_run loop-f32 --device cuda --precision f32
  axon_run loop-tf32 --device cuda --precision tf32
  axon_run loop-bf16 --device cuda --precision bf16
  axon_run loop-bf16-fused --device cuda --precision bf16 --attention fused
  axon_run actors-bf16 --device cuda --precision bf16 --mode actors
else
  part part axon result skipped reason "the bundle has no axon with --device (scripts/gpu-bundle.sh copies it)"
fi

python3 - "$parts" "$out/gpu-summary.json" <<'PY'
import json, sys
parts = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
summary = {"machine": next((p for p in parts if p["part"] == "machine"), {}),
           "tests": [p for p in parts if p["part"] == "test"],
           "torch": [p for p in parts if p["part"] == "torch"],
           "axon": [p for p in parts if p["part"] == "axon"]}
# Axon / PyTorch training tokens/s at the same precision (f32 = PyTorch's fp32).
torch_rate = {p["precision"]: p["tokens_per_s"] for p in summary["torch"] if "tokens_per_s" in p}
summary["ratios"] = {
    p["run"]: p["train_tokens_per_s"] / torch_rate[{"f32": "fp32"}.get(p["precision"], p["precision"])]
    for p in summary["axon"]
    if "train_tokens_per_s" in p and {"f32": "fp32"}.get(p["precision"], p["precision"]) in torch_rate}
json.dump(summary, open(sys.argv[2], "w"), indent=2)
print(json.dumps(summary, indent=2))
PY
rm -rf "$tmp"
