# Sourced by scripts/scale_timing.sh and scripts/scale_throughput.sh: the small generated
# job they scale. write_scale_job WORK AXON HIDDEN LAYERS SHARDS BATCH [MAX_STEPS] writes
# WORK/data (synth-finsent, 400 texts, once) and WORK/job.ini: 2 pipeline stages, SHARDS
# shards (at most 3), BATCH rows a step, one log line per step, run folder WORK/run; it
# trains until MAX_STEPS (-1: until stopped).
write_scale_job() {
  local work=$1 axon=$2 hidden=$3 layers=$4 shards=$5 batch=$6 max_steps=${7:--1}
  [ -d "$work/data" ] || "$axon" data synth-finsent "$work/data" --size 400 >/dev/null
  cat >"$work/job.ini" <<INI
[data]
train = "$work/data/train.csv"
dev = "$work/data/dev.csv"
vocab-size = 600
max-len = 32
[model]
hidden = $hidden
layers = $layers
heads = 2
intermediate = $((hidden * 2))
max-positions = 32
[train]
run-dir = "$work/run"
epochs = 1000
max-steps = $max_steps
batch-size = $batch
log-every-steps = 1
threads = 2
[eval]
patience = 0
[placement]
stages = 2
shards = $shards
max-shards = 3
INI
}
