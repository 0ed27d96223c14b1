// The runners of `axon bench train` (see bench_train_runners.hpp).
#include "apps/axon/bench_train_runners.hpp"

#include "actors/cluster/system_config.hpp"
#include "actors/modules.hpp"
#include "graphs/bert/bert_classifier.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/graph/error.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <stdexcept>

namespace axon::app {

namespace {

using clock_type = std::chrono::steady_clock;

ops::adamw_hparams adamw_of(const bench_train_flags& f) {
  ops::adamw_hparams hp;
  hp.lr = static_cast<float>(f.lr);
  hp.weight_decay = static_cast<float>(f.weight_decay);
  return hp;
}

// The single-loop model on `on` (the host or a CUDA stream). Weights are drawn on the
// host and copied in, so every device starts from the same ones.
class loop_runner : public runner {
public:
  loop_runner(const bench_train_flags& f, const bert::bert_config& cfg, ops::compute on)
    : seed_(static_cast<std::uint64_t>(f.seed)), pool_(f.threads), use_pool_(&pool_),
      model_(cfg, std::move(on)),
      optimizer_(model_.params(), optimizer_settings{adamw_of(f), 0.0f, true}, model_.compute()) {
    param_arena initial{model_.params().specs()};
    bert::init_params(initial, seed_);
    model_.params().flat().copy_(initial.flat());
  }
  std::int64_t params() const override { return model_.params().numel(); }
  float train(const bert::batch& in, std::uint64_t step, phase_times* record) override {
    // The rows of step s are examples s*B, s*B + 1, ... of one epoch, as a loader's.
    bert::dropout_key key{seed_, 0, step * std::uint64_t(in.ids.size(0)), true};
    auto t0 = clock_type::now();
    model_.zero_grads();
    float loss = model_.forward(in, key);
    auto t1 = clock_type::now();
    model_.backward(in, key);
    auto t2 = clock_type::now();
    optimizer_.step(model_.params(), model_.grads());
    model_.compute().synchronize(); // a device queues the update: time it done
    auto t3 = clock_type::now();
    if (record != nullptr) {
      record->fwd_ms.push_back(1e3 * std::chrono::duration<double>(t1 - t0).count());
      record->bwd_ms.push_back(1e3 * std::chrono::duration<double>(t2 - t1).count());
      record->opt_ms.push_back(1e3 * std::chrono::duration<double>(t3 - t2).count());
    }
    return loss;
  }
  void infer(const bert::batch& in) override { model_.forward(in, {}); }

private:
  std::uint64_t seed_;
  compute_pool pool_;
  compute_pool::scope use_pool_;
  bert::bert_classifier model_;
  adamw_optimizer optimizer_;
};

// The actor graph in this process: `threads` CAF scheduler threads and as many compute
// threads in the process pool, shared by every stage and optimizer actor.
class actor_runner : public runner {
public:
  actor_runner(const bench_train_flags& f, const bert::bert_config& cfg)
    : system_(configure(f.threads)), pipeline_(system_, layout_of(f, cfg)),
      lr_(static_cast<float>(f.lr)), micro_rows_divisor_(f.shards * f.micro_batches) {
    if (auto err = pipeline_.init_params())
      throw std::runtime_error(error_text(err));
    for (const auto& s : bert::param_specs(cfg))
      numel_ += s.sizes.numel();
  }
  std::int64_t params() const override { return numel_; }
  float train(const bert::batch& in, std::uint64_t step, phase_times*) override {
    auto done = pipeline_.train_step(bert::job_batch(in, 0, step * std::uint64_t(in.ids.size(0))),
                                     step, lr_);
    if (!done)
      throw std::runtime_error(error_text(done.error()));
    return static_cast<float>(done->first);
  }
  void infer(const bert::batch& in) override {
    auto done = pipeline_.evaluate(bert::job_batch(in),
                                   static_cast<int>(in.ids.size(0)) / micro_rows_divisor_);
    if (!done)
      throw std::runtime_error(error_text(done.error()));
  }

private:
  static system_config& configure(int threads) {
    set_process_compute_threads(threads);
    static system_config cfg{axon_modules(), threads};
    return cfg;
  }
  static bert::job_layout layout_of(const bench_train_flags& f, const bert::bert_config& cfg) {
    bert::job_layout job;
    job.model = cfg;
    job.stages = f.stages;
    job.shards = f.shards;
    job.micro_batches = f.micro_batches;
    job.credit_window = f.credit_window;
    job.adamw = adamw_of(f);
    job.decay_all = true;
    job.seed = static_cast<std::uint64_t>(f.seed);
    if (f.device != "cpu") // every stage and optimizer actor
      job.devices = {{"*", device::parse(f.device)}};
    job.precision = *ops::parse_gemm_precision(f.precision);
    job.attention = *ops::parse_attention_kernel(f.attention);
    return job;
  }

  caf::actor_system system_;
  bert::pipeline pipeline_;
  float lr_;
  int micro_rows_divisor_;
  std::int64_t numel_ = 0;
};

} // namespace

bert::bert_config model_config(const bench_train_flags& f) {
  bert::bert_config cfg;
  cfg.vocab_size = f.vocab;
  cfg.max_positions = f.seq;
  cfg.type_vocab_size = 2;
  cfg.hidden = f.hidden;
  cfg.layers = f.layers;
  cfg.heads = f.heads;
  cfg.intermediate = f.ffn_mult * f.hidden;
  cfg.classes = f.classes;
  cfg.pooler = f.pooler;
  cfg.pack_rows = !f.no_packing;
  cfg.hidden_dropout = cfg.attention_dropout = static_cast<float>(f.dropout);
  return cfg;
}

std::unique_ptr<runner> make_runner(const bench_train_flags& f, const bert::bert_config& cfg,
                                    ops::compute on) {
  if (f.mode == "loop")
    return std::make_unique<loop_runner>(f, cfg, std::move(on));
  return std::make_unique<actor_runner>(f, cfg);
}

} // namespace axon::app
