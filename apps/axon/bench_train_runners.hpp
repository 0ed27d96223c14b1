// What `axon bench train` times: the single-loop model or the actor graph behind one
// interface, built from the command's flags (cmd_bench_train.cpp drives and reports).
#pragma once

#include "apps/axon/bench_model_flags.hpp"
#include "graphs/bert/bert_config.hpp"
#include "graphs/bert/bert_layers.hpp"
#include "ops/compute.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace axon::app {

struct bench_train_flags : bench_model_flags {
  int steps = 20, warmup = 3, repeats = 1, threads = 2, vocab = 30522, classes = 2;
  int min_len = 0;
  int stages = 1, shards = 1, micro_batches = 1, credit_window = 2;
  std::int64_t seed = 0;
  double lr = 1e-4, weight_decay = 0.01, dropout = 0.0;
  bool pooler = false, monitor = false, no_packing = false;
  std::string phase = "both", mode = "loop", device = "cpu", precision = "f32";
  std::string attention = "gemm";
};

struct phase_times {
  std::vector<double> fwd_ms, bwd_ms, opt_ms;
};

// What the timing loops drive: the single-loop model or the actor graph.
class runner {
public:
  virtual ~runner() = default;
  virtual std::int64_t params() const = 0;
  /// One training step; returns the loss and, when `record` is set, per-phase times.
  virtual float train(const bert::batch& in, std::uint64_t step, phase_times* record) = 0;
  virtual void infer(const bert::batch& in) = 0;
};

/// The model the flags ask for: the BERT classifier of `bench train`'s shape.
bert::bert_config model_config(const bench_train_flags& f);

/// `f.mode`'s runner: "loop" on `on` (the host or a CUDA stream), or "actors" (each stage
/// and optimizer actor opens its own stream on `f.device`).
std::unique_ptr<runner> make_runner(const bench_train_flags& f, const bert::bert_config& cfg,
                                    ops::compute on);

} // namespace axon::app
