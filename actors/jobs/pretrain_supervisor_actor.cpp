// pretrain supervisor actor: see pretrain_supervisor_actor.hpp.
#include "actors/jobs/pretrain_supervisor_actor.hpp"

#include "actors/jobs/resume_pipeline.hpp"
#include "runtime/graph/error.hpp"

#include "graphs/bert/bert_pipeline.hpp"
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/train/finite_loss.hpp"
#include "runtime/train/metrics_log.hpp"
#include "runtime/train/progress.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

namespace axon {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

// What an evaluation on the held-out sequences gives.
struct mlm_eval {
  double loss = 0, accuracy = 0; // mean cross-entropy and share predicted right, per target
  std::int64_t targets = 0;
};

bert::batch as_batch(const data::mlm_batch& b) {
  return {b.ids, {}, b.mask, b.labels, {}};
}

class pretraining_run {
public:
  pretraining_run(caf::blocking_actor* self, const pretrain_plan& plan)
    : self_(self), plan_(plan), pipeline_(self->system(), plan.layout),
      specs_(bert::param_specs(plan.layout.model)),
      stream_(data::corpus_reader{plan.corpus}, plan.tokenizer, plan.stream) {
  }

  void run() {
    const auto warmup = plan_.warmup_steps >= 0
                          ? plan_.warmup_steps
                          : static_cast<std::int64_t>(plan_.warmup_ratio * double(plan_.max_steps));
    // Without a step budget the rate stays at its peak after the warm-up.
    schedule_ = {plan_.max_steps > 0 ? plan_.schedule : train::lr_schedule_kind::constant,
                 plan_.layout.adamw.lr, warmup, std::max<std::int64_t>(plan_.max_steps, 1)};
    heldout_ = heldout_batches();
    start();
    if (step_ == 0)
      evaluate_and_log();
    train_loop();
    if (last_eval_step_ != step_)
      evaluate_and_log();
    if (last_saved_step_ != step_)
      save();
    log_->close();
    std::cerr << "pretraining done: " << step_ << " steps in "
              << train::format_duration(train_seconds_) << "; checkpoint " << plan_.run_dir
              << "/checkpoints/step-" << step_ << '\n';
    if (last_.targets > 0)
      std::printf("heldout mlm_loss=%.4f mlm_accuracy=%.4f\n", last_.loss, last_.accuracy);
    std::fflush(stdout);
  }

private:
  // The first eval_sequences sequences of the held-out slice, masked once for all.
  std::vector<data::mlm_batch> heldout_batches() const {
    std::vector<data::mlm_batch> batches;
    if (plan_.eval_sequences == 0)
      return batches;
    auto options = plan_.stream;
    options.heldout = true;
    data::mlm_stream heldout{data::corpus_reader{plan_.corpus}, plan_.tokenizer, options};
    std::size_t sequences = 0;
    while (sequences < plan_.eval_sequences) {
      auto b = heldout.next_batch();
      if (!b.ids.defined())
        break;
      sequences += std::size_t(b.ids.size(0));
      batches.push_back(std::move(b));
    }
    std::cerr << "held-out: " << sequences << " sequences\n";
    return batches;
  }

  void start() {
    fs::create_directories(fs::path{plan_.run_dir} / "checkpoints");
    const auto log_path = fs::path{plan_.run_dir} / "metrics.jsonl";
    if (plan_.resume) {
      resume_from_checkpoint();
      log_.emplace(train::metrics_log::open_for_resume(log_path, step_));
      return;
    }
    log_.emplace(train::metrics_log::create(log_path));
    if (plan_.init_weights.empty()) {
      pipeline_.init_params();
      return;
    }
    param_arena weights{specs_};
    bert::init_params(weights, plan_.layout.seed); // tensors the file lacks stay fresh
    auto report = checkpoint::load_weights(read_safetensors(plan_.init_weights), weights);
    std::cerr << "model.init: " << report.loaded.size() << " tensors from " << plan_.init_weights
              << ", " << report.missing.size() << " initialised fresh\n";
    pipeline_.load_params(weights);
  }

  void resume_from_checkpoint() {
    const auto found = resume_pipeline(pipeline_, plan_.run_dir, {plan_.config_hash, specs_});
    if (!found)
      throw std::runtime_error("--resume: no valid checkpoint in " + plan_.run_dir + "/checkpoints");
    const auto& ckpt = *found;
    step_ = ckpt.info.step;
    const auto& rng = ckpt.info.rng_states;
    stream_.restore({ckpt.info.cursor.epoch,
                     {rng.at("corpus.file"), rng.at("corpus.offset")},
                     rng.at("corpus.skip_tokens"),
                     ckpt.info.cursor.position});
    auto history = nlohmann::json::parse(ckpt.info.metrics_history);
    train_seconds_ = history.value("train_seconds", 0.0);
    last_eval_step_ = history.value("last_eval_step", std::int64_t{-1});
    last_ = {history.value("heldout_mlm_loss", 0.0), history.value("heldout_mlm_accuracy", 0.0),
             history.value("heldout_targets", std::int64_t{0})};
    last_saved_step_ = step_;
    std::cerr << "resumed from " << ckpt.folder.string() << " (step " << step_ << ", pass "
              << ckpt.info.cursor.epoch + 1 << ")\n";
  }

  bool budget_left() const {
    return (plan_.max_steps <= 0 || step_ < plan_.max_steps)
           && (plan_.max_minutes <= 0 || train_seconds_ < plan_.max_minutes * 60.0);
  }

  void train_loop() {
    double loss_sum = 0, tokens = 0, window_seconds = 0;
    std::int64_t logged = 0;
    while (budget_left()) {
      const auto begin = clock_type::now();
      auto batch = stream_.next_batch();
      const auto lr = static_cast<float>(train::learning_rate(schedule_, step_));
      auto [loss, grad_norm] =
        pipeline_.train_step(as_batch(batch), static_cast<std::uint64_t>(step_), lr);
      train::require_finite_loss(step_ + 1, loss);
      ++step_;
      const double seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
      train_seconds_ += seconds;
      window_seconds += seconds;
      loss_sum += loss;
      tokens += double(batch.tokens);
      ++logged;
      if (step_ % plan_.log_every == 0 || !budget_left()) {
        const double tokens_per_s = tokens / std::max(window_seconds, 1e-9);
        log_->append(train::train_event(step_, int(batch.pass) + 1, loss_sum / double(logged), lr,
                                        tokens_per_s));
        std::fprintf(stderr, "pass %d step %lld%s loss %.4f lr %.3g %.0f tok/s %s\n",
                     int(batch.pass) + 1, static_cast<long long>(step_), budget_text().c_str(),
                     loss_sum / double(logged), double(lr), tokens_per_s,
                     train::format_duration(train_seconds_).c_str());
        loss_sum = tokens = window_seconds = 0;
        logged = 0;
      }
      if (plan_.eval_every > 0 && step_ % plan_.eval_every == 0) {
        evaluate_and_log();
        save();
      } else if (plan_.checkpoint_every > 0 && step_ % plan_.checkpoint_every == 0) {
        save();
      }
    }
  }

  std::string budget_text() const {
    return plan_.max_steps > 0 ? "/" + std::to_string(plan_.max_steps) : std::string{};
  }

  void evaluate_and_log() {
    last_eval_step_ = step_;
    if (heldout_.empty())
      return;
    double loss_sum = 0, right = 0;
    std::int64_t targets = 0;
    const int shards = plan_.layout.shards;
    for (const auto& b : heldout_) {
      const auto rows = b.ids.size(0);
      auto [counts, loss_sums] =
        pipeline_.evaluate(as_batch(b), static_cast<int>((rows + shards - 1) / shards));
      for (std::int64_t r = 0; r < rows; ++r) {
        right += counts.data<float>()[2 * r];
        targets += std::int64_t(counts.data<float>()[2 * r + 1]);
        loss_sum += loss_sums.data<float>()[r];
      }
    }
    last_ = {loss_sum / double(std::max<std::int64_t>(targets, 1)),
             right / double(std::max<std::int64_t>(targets, 1)), targets};
    log_->append({{"event", "eval"},
                  {"split", "heldout"},
                  {"step", step_},
                  {"mlm_loss", last_.loss},
                  {"mlm_accuracy", last_.accuracy},
                  {"targets", targets}});
    std::fprintf(stderr, "held-out step %lld: mlm loss %.4f accuracy %.4f (%lld targets)\n",
                 static_cast<long long>(step_), last_.loss, last_.accuracy,
                 static_cast<long long>(targets));
  }

  void save() {
    last_saved_step_ = step_;
    checkpoint::manifest info;
    info.step = step_;
    const auto cursor = stream_.cursor();
    info.epoch = std::int64_t(cursor.pass);
    auto state = pipeline_.gather_state();
    info.optimizer_step = state.steps;
    info.cursor = {cursor.pass, cursor.sequence, {plan_.stream.seed}};
    info.rng_states = {{"seed", plan_.layout.seed},
                       {"mask.seed", plan_.stream.seed},
                       {"corpus.file", cursor.document.file},
                       {"corpus.offset", cursor.document.offset},
                       {"corpus.skip_tokens", cursor.skip_tokens}};
    info.config_hash = plan_.config_hash;
    info.metrics_history = nlohmann::json{{"train_seconds", train_seconds_},
                                          {"last_eval_step", last_eval_step_},
                                          {"heldout_mlm_loss", last_.loss},
                                          {"heldout_mlm_accuracy", last_.accuracy},
                                          {"heldout_targets", last_.targets}}
                             .dump();
    checkpoint::save_checkpoint(plan_.run_dir, info, state.params, state.first_moments,
                                state.second_moments, {plan_.keep_checkpoints, false});
  }

  caf::blocking_actor* self_;
  const pretrain_plan& plan_;
  bert::pipeline pipeline_;
  std::vector<param_spec> specs_;
  data::mlm_stream stream_;
  std::vector<data::mlm_batch> heldout_;
  std::optional<train::metrics_log> log_; // opened by start()
  train::lr_schedule_config schedule_;
  std::int64_t step_ = 0, last_eval_step_ = -1, last_saved_step_ = -1;
  double train_seconds_ = 0;
  mlm_eval last_;
};

} // namespace

caf::actor spawn_pretrain_supervisor(caf::actor_system& sys,
                                     std::shared_ptr<const pretrain_plan> plan) {
  return sys.spawn<caf::detached>([plan](caf::blocking_actor* self) {
    try {
      pretraining_run{self, *plan}.run();
    } catch (const std::exception& e) {
      self->fail_state(make_error(errc::failed, e.what()));
    }
  });
}

} // namespace axon
