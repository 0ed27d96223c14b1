// supervisor actor: the classifier's epochs. See supervisor_actor.hpp and classifier_job.hpp.
#include "actors/jobs/supervisor_actor.hpp"

#include "actors/jobs/classifier_job.hpp"
#include "actors/jobs/log_window.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/train/metrics_log.hpp"

#include <caf/all.hpp>

namespace axon {

caf::error classifier_job::run() {
  // train.batch-size is the global batch, whatever the placement: every epoch is the same
  // batches (the last one short when the split does not fill it), which the coordinator
  // splits over the shards there are (a shard without a row in a short batch sends zero
  // gradients), so the steps, schedule and results do not depend on the shards.
  const std::size_t n = plan_.train->size();
  const bool drop_last = false;
  const auto batches_per_epoch = (n + plan_.batch_size - 1) / plan_.batch_size;
  if (batches_per_epoch == 0)
    return make_error(errc::bad_input, "the train split has no rows");
  // train.epochs and train.max-steps both bound the run: whichever ends it first wins.
  total_steps_ = static_cast<std::int64_t>(batches_per_epoch) * plan_.epochs;
  if (plan_.max_steps > 0)
    total_steps_ = std::min(total_steps_, plan_.max_steps);
  data::batcher_options loader_options{plan_.batch_size, plan_.layout.seed, plan_.shuffle,
                                       drop_last, plan_.pad_id};
  run_.emplace(self_, plan_, *this, batches_of(plan_.train, loader_options), true);
  run_->set_total_steps(total_steps_);
  run_->schedule() = schedule_of(plan_, total_steps_);
  if (auto err = run_->start())
    return err;
  if (auto err = train_loop())
    return err;
  if (run_->stop_requested())
    return run_->stop_now();
  return finish();
}

caf::error classifier_job::train_loop() {
  train::early_stopping stopping{plan_.stopping, stopping_state_};
  progress_.emplace(train::progress_printer_for(stderr, plan_.log_every));
  log_window window;
  // A resumed run that had already stopped early trains no further.
  const bool stopped_early = plan_.early_stop && stopping_state_.has_best
                             && stopping_state_.evals_without_improvement >= plan_.stopping.patience;
  run_->publish_details();
  auto more = [&] {
    return !stopped_early && run_->step() < total_steps_ && epoch_ < plan_.epochs;
  };
  auto err = run_->step_loop(more, [&](const applied_step& done) {
    return step_done(done, stopping, window);
  });
  progress_->finish();
  return err;
}

caf::expected<bool> classifier_job::step_done(const applied_step& done,
                                              train::early_stopping& stopping,
                                              log_window& window) {
  const auto& [batch, lr, loss, seconds] = done;
  const auto step = run_->step();
  // The one epoch convention (progress line, metrics.jsonl, console): a step belongs to
  // the epoch, counted from 1, of the batch it trained on; an evaluation after it too.
  const int step_epoch = static_cast<int>(batch.epoch) + 1;
  current_epoch_ = step_epoch;
  const auto step_tokens = batch.ids.numel();
  // Samples are the examples, or with data.long-text = chunk the documents (their labels),
  // not the windows.
  progress_->step_done(step_epoch, plan_.epochs, step, total_steps_, loss, step_tokens,
                       batch.labels.size(0));
  window.add(loss, double(step_tokens), run_->record_step(loss, lr, step_tokens));
  if ((step % plan_.log_every == 0 || step == total_steps_) && window.has_loss()) {
    run_->log().append(
      train::train_event(step, step_epoch, window.mean_loss(), lr, window.tokens_per_s()));
    window.reset();
  }
  const bool epoch_end = batch.last_in_epoch;
  if (epoch_end)
    ++epoch_;
  const bool evaluate_now = !plan_.dev->empty()
                            && (epoch_end || step == total_steps_
                                || (plan_.eval_every > 0 && step % plan_.eval_every == 0));
  if (evaluate_now) {
    progress_->finish();
    return evaluate_dev(stopping, step_epoch); // true: stop early
  }
  if (plan_.checkpoint_every > 0 && step % plan_.checkpoint_every == 0)
    if (auto saved = run_->recovering([&] { return run_->save(false); }); !saved)
      return saved.error();
  return false;
}

caf::actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<const supervisor_plan> plan) {
  return sys.spawn<caf::detached>([plan](caf::blocking_actor* self) {
    run_job(self, classifier_job{self, *plan});
  });
}

} // namespace axon
