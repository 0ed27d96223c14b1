// run_plan: what both supervisors (training and pretraining) take from a config: where the
// run lives, the actor graph's layout and node processes, the learning-rate schedule,
// logging and checkpoint cadence, recovery, and where the weights start. Each
// supervisor's plan adds its own.
#pragma once

#include "graphs/bert/bert_graph.hpp"
#include "runtime/train/lr_schedule.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace axon {

struct run_plan {
  std::string run_dir;
  bert::job_layout layout;
  train::lr_schedule_kind schedule = train::lr_schedule_kind::linear;
  double warmup_ratio = 0.1;
  std::int64_t warmup_steps = -1; // -1: from warmup_ratio
  std::int64_t log_every = 10;
  std::int64_t checkpoint_every = 0; // 0: at evaluations (and, pretraining, the end) only
  int keep_checkpoints = 3;
  std::string config_hash;        // the job's, placement keys left out (app::job_hash)
  std::string legacy_config_hash; // the run's hash as older Axon versions wrote it: accepted
  bool resume = false;
  bool start_paused = false; // monitor.start-paused: the first step waits for `resume`
  std::string init_weights; // safetensors with Hugging Face names; empty: random init
  std::shared_ptr<remote_nodes> cluster; // node processes of the placement; null: local
  int recovery_attempts = 3; // recoveries in a row without a completed step; 0: none
  std::chrono::milliseconds rejoin_timeout{10000}; // wait for a lost node process to return
  int max_shards = 64; // placement.max-shards: the most a scale event may ask for
  std::int64_t global_batch = 0; // train.batch-size: rows a scale event's shards split
  bool elastic = false; // placement.elastic: node processes may join and leave while it runs
};

} // namespace axon
