// pretrain supervisor actor: see pretrain_supervisor_actor.hpp.
#include "actors/jobs/pretrain_supervisor_actor.hpp"

#include "actors/jobs/job_run.hpp"
#include "actors/jobs/log_window.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/train/progress.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

namespace axon {

namespace {

using clock_type = std::chrono::steady_clock;

// What an evaluation on the held-out sequences gives.
struct mlm_eval {
  double loss = 0, accuracy = 0; // mean cross-entropy and share predicted right, per target
  std::int64_t targets = 0;
};

class pretrain_job final : public job_kind {
public:
  pretrain_job(caf::blocking_actor* self, const pretrain_plan& plan) : self_(self), plan_(plan) {}

  caf::error run() {
    heldout_ = heldout_batches();
    run_.emplace(self_, plan_, *this, corpus_batches(plan_.corpus, plan_.tokenizer, plan_.stream),
                 false);
    run_->set_total_steps(plan_.max_steps);
    run_->schedule() = schedule_of(plan_, plan_.max_steps);
    if (auto err = run_->start())
      return err;
    if (run_->step() == 0)
      if (auto err = evaluate_and_log())
        return err;
    if (auto err = train_loop())
      return err;
    if (run_->stop_requested())
      return run_->stop_now();
    if (last_eval_step_ != run_->step())
      if (auto err = evaluate_and_log())
        return err;
    if (auto saved = run_->recovering([&] { return run_->save(false); }); !saved)
      return saved.error();
    run_->close_logs();
    std::cerr << "pretraining done: " << run_->step() << " steps in "
              << train::format_duration(train_seconds_) << "; checkpoint " << plan_.run_dir
              << "/checkpoints/step-" << run_->step() << '\n';
    if (last_.targets > 0)
      std::printf("heldout mlm_loss=%.4f mlm_accuracy=%.4f\n", last_.loss, last_.accuracy);
    std::fflush(stdout);
    return caf::none;
  }

  // ---- job_kind: the corpus cursor, the budget's time and the last evaluation ----
  std::string command() const override { return "pretrain"; }

  void save_to(checkpoint::manifest& info, const data::stream_cursor& cursor) const override {
    info.epoch = std::int64_t(cursor.epoch);
    info.cursor = {cursor.epoch, cursor.position, {plan_.stream.seed}};
    info.rng_states = {{"seed", plan_.layout.seed},
                       {"mask.seed", plan_.stream.seed},
                       {"corpus.file", cursor.file},
                       {"corpus.offset", cursor.offset},
                       {"corpus.skip_tokens", cursor.skip_tokens}};
    info.metrics_history = nlohmann::json{{"train_seconds", train_seconds_},
                                          {"last_eval_step", last_eval_step_},
                                          {"heldout_mlm_loss", last_.loss},
                                          {"heldout_mlm_accuracy", last_.accuracy},
                                          {"heldout_targets", last_.targets}}
                             .dump();
  }

  data::stream_cursor restore_from(const checkpoint::manifest& info) override {
    auto history = nlohmann::json::parse(info.metrics_history);
    train_seconds_ = history.value("train_seconds", 0.0);
    last_eval_step_ = history.value("last_eval_step", std::int64_t{-1});
    last_ = {history.value("heldout_mlm_loss", 0.0), history.value("heldout_mlm_accuracy", 0.0),
             history.value("heldout_targets", std::int64_t{0})};
    const auto& rng = info.rng_states;
    return {info.cursor.epoch, info.cursor.position, rng.at("corpus.file"),
            rng.at("corpus.offset"), rng.at("corpus.skip_tokens")};
  }

  std::string where(const checkpoint::manifest& info) const override {
    return "pass " + std::to_string(info.cursor.epoch + 1);
  }

  void restart() override {
    train_seconds_ = 0;
    last_eval_step_ = -1;
    last_ = {};
  }

  void publish(monitor::actor_probe& probe) const override {
    probe.set_detail("epoch", double(pass_ + 1));
    probe.set_detail("train_seconds", train_seconds_);
    if (last_.targets > 0) {
      probe.set_detail("heldout_mlm_loss", last_.loss);
      probe.set_detail("heldout_mlm_accuracy", last_.accuracy);
    }
  }

private:
  // The first eval_sequences sequences of the held-out slice, masked once for all.
  std::vector<data::batch> heldout_batches() const {
    std::vector<data::batch> batches;
    if (plan_.eval_sequences == 0)
      return batches;
    auto options = plan_.stream;
    options.heldout = true;
    auto heldout = corpus_batches(plan_.corpus, plan_.tokenizer, options);
    std::size_t sequences = 0;
    while (sequences < plan_.eval_sequences) {
      auto b = heldout->next();
      if (!b.ids.defined())
        break;
      sequences += std::size_t(b.ids.size(0));
      batches.push_back(std::move(b));
    }
    std::cerr << "held-out: " << sequences << " sequences\n";
    return batches;
  }

  bool budget_left() const {
    return (plan_.max_steps <= 0 || run_->step() < plan_.max_steps)
           && (plan_.max_minutes <= 0 || train_seconds_ < plan_.max_minutes * 60.0);
  }

  caf::error train_loop() {
    log_window window;
    run_->publish_details();
    return run_->step_loop([&] { return budget_left(); },
                           [&](const applied_step& done) { return step_done(done, window); });
  }

  // What follows an applied step: logs, evaluation, checkpoint.
  caf::expected<bool> step_done(const applied_step& done, log_window& window) {
    const auto& [batch, lr, loss, seconds] = done;
    train_seconds_ += seconds;
    const auto step = run_->step();
    pass_ = batch.epoch;
    const auto tokens = real_tokens(batch);
    run_->record_step(loss, lr, tokens);
    window.add(loss, double(tokens), seconds);
    if ((step % plan_.log_every == 0 || !budget_left()) && window.has_loss()) {
      run_->log().append(train::train_event(step, int(pass_) + 1, window.mean_loss(), lr,
                                            window.tokens_per_s()));
      std::fprintf(stderr, "pass %d step %lld%s loss %.4f lr %.3g %.0f tok/s %s\n",
                   int(pass_) + 1, static_cast<long long>(step), budget_text().c_str(),
                   window.mean_loss(), double(lr), window.tokens_per_s(),
                   train::format_duration(train_seconds_).c_str());
      window.reset();
    }
    const bool evaluate_now = plan_.eval_every > 0 && step % plan_.eval_every == 0;
    if (evaluate_now)
      if (auto err = evaluate_and_log())
        return err;
    if (evaluate_now || (plan_.checkpoint_every > 0 && step % plan_.checkpoint_every == 0))
      if (auto saved = run_->recovering([&] { return run_->save(false); }); !saved)
        return saved.error();
    return false;
  }

  std::string budget_text() const {
    return plan_.max_steps > 0 ? "/" + std::to_string(plan_.max_steps) : std::string{};
  }

  // The held-out evaluation after the current step, logged (recovering from a lost actor).
  caf::error evaluate_and_log() {
    last_eval_step_ = run_->step();
    if (heldout_.empty())
      return caf::none;
    mlm_eval got;
    auto same_step = run_->recovering([&]() -> caf::error {
      auto evaluated = evaluate();
      if (!evaluated)
        return evaluated.error();
      got = *evaluated;
      return caf::none;
    });
    if (!same_step)
      return same_step.error();
    if (!*same_step) // recovery went back to a checkpoint: the steps after it come again
      return caf::none;
    last_ = got;
    run_->log().append({{"event", "eval"},
                        {"split", "heldout"},
                        {"step", run_->step()},
                        {"mlm_loss", last_.loss},
                        {"mlm_accuracy", last_.accuracy},
                        {"targets", last_.targets}});
    std::fprintf(stderr, "held-out step %lld: mlm loss %.4f accuracy %.4f (%lld targets)\n",
                 static_cast<long long>(run_->step()), last_.loss, last_.accuracy,
                 static_cast<long long>(last_.targets));
    return caf::none;
  }

  caf::expected<mlm_eval> evaluate() {
    double loss_sum = 0, right = 0;
    std::int64_t targets = 0;
    const int shards = run_->pipeline().layout().shards; // after any scale event
    for (const auto& b : heldout_) {
      const auto rows = b.ids.size(0);
      auto out = run_->pipeline().evaluate(b, static_cast<int>((rows + shards - 1) / shards));
      if (!out)
        return out.error();
      const auto& [counts, loss_sums] = *out;
      for (std::int64_t r = 0; r < rows; ++r) {
        right += counts.data<float>()[2 * r];
        targets += std::int64_t(counts.data<float>()[2 * r + 1]);
        loss_sum += loss_sums.data<float>()[r];
      }
    }
    return mlm_eval{loss_sum / double(std::max<std::int64_t>(targets, 1)),
                    right / double(std::max<std::int64_t>(targets, 1)), targets};
  }

  caf::blocking_actor* self_;
  const pretrain_plan& plan_;
  std::optional<job_run> run_; // made by run()
  std::vector<data::batch> heldout_;
  std::int64_t last_eval_step_ = -1;
  std::uint64_t pass_ = 0; // of the last step's batch, for the console
  double train_seconds_ = 0;
  mlm_eval last_;
};

} // namespace

caf::actor spawn_pretrain_supervisor(caf::actor_system& sys,
                                     std::shared_ptr<const pretrain_plan> plan) {
  return sys.spawn<caf::detached>([plan](caf::blocking_actor* self) {
    run_job(self, pretrain_job{self, *plan});
  });
}

} // namespace axon
