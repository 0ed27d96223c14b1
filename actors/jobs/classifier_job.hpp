// classifier_job: the training supervisor's job (supervisor_actor.hpp says what it does),
// split by idea over three files:
//   supervisor_actor.cpp  the epochs: steps, the progress line, train events, cadence
//   classifier_eval.cpp   dev evaluations with early stopping, the best model on test
//   classifier_job.cpp    its part of checkpoints and `inspect supervisor`, KG linking
// The shared machinery (start, loader, control, recovery, checkpoints) is a job_run.
#pragma once

#include "actors/jobs/job_run.hpp"
#include "actors/jobs/log_window.hpp"
#include "actors/jobs/supervisor_actor.hpp"
#include "runtime/train/classification_report.hpp"
#include "runtime/train/early_stopping.hpp"
#include "runtime/train/progress.hpp"

#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>

#include <optional>

namespace axon {

class classifier_job final : public job_kind {
public:
  classifier_job(caf::blocking_actor* self, const supervisor_plan& plan);
  /// The whole job; an error ends it with its message.
  caf::error run();

  // job_kind (classifier_job.cpp)
  std::string command() const override { return "train"; }
  void save_to(checkpoint::manifest& info, const data::stream_cursor& cursor) const override;
  data::stream_cursor restore_from(const checkpoint::manifest& info) override;
  std::string where(const checkpoint::manifest& info) const override;
  void restart() override;
  void publish(monitor::actor_probe& probe) const override;
  caf::error prepare(data::batch& batch, bert::pipeline& pipeline) override;
  void interrupted() override {
    if (progress_)
      progress_->finish();
  }

private:
  // supervisor_actor.cpp
  caf::error train_loop();
  /// What follows an applied step: logs, evaluation, checkpoint; true: stop early.
  caf::expected<bool> step_done(const applied_step& done, train::early_stopping& stopping,
                                log_window& window);
  // classifier_eval.cpp
  /// Evaluates on dev after the current step, logs and checkpoints; true: stop early.
  caf::expected<bool> evaluate_dev(train::early_stopping& stopping, int step_epoch);
  caf::expected<train::classification_report>
  evaluate(const std::shared_ptr<const supervisor_plan::examples>& split);
  caf::expected<train::classification_report> best_on_test();
  caf::error finish();
  bool logged_test_event() const;
  double metric_of(const train::classification_report& report) const;
  // classifier_job.cpp
  /// `split`'s batches with `options`: its examples, or with plan_.windows its documents
  /// as windows.
  std::unique_ptr<batch_source> batches_of(const std::shared_ptr<const supervisor_plan::examples>& split,
                                           const data::batcher_options& options) const;
  /// The entity ids, linked by the KG service, of a batch of `split`'s examples (B,T), or
  /// of its documents' windows (N,T).
  caf::expected<tensor> linked_entities(const supervisor_plan::examples& split,
                                        const data::batch& batch);

  caf::blocking_actor* self_;
  const supervisor_plan& plan_;
  std::optional<job_run> run_; // made by run()
  std::optional<train::progress_printer> progress_; // made by train_loop()
  train::early_stopping_state stopping_state_;
  std::int64_t total_steps_ = 0;
  std::int64_t epoch_ = 0; // epochs completed
  int current_epoch_ = 1;  // the epoch (from 1) of the last step trained, for the console
};

} // namespace axon
