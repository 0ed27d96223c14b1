// job_run: the machinery both supervisors share, for a detached blocking supervisor actor
// driving one job over a BERT actor graph (bert::pipeline) and a loader actor:
//   job_run.cpp          start (fresh, from weights, or resumed), the loader (rewind, next
//                        batch, credit), one training step and the step loop, logs,
//                        probes and details
//   job_control.cpp      console control between steps: pause, resume, checkpoint, set, stop
//   job_recovery.cpp     recovery from a lost actor or node: respawn, restore, rewind
//   job_scale.cpp        scale events: shards added or retired between steps
//   job_nodes.cpp        node processes joining and leaving (placement.elastic): scale events
//   job_checkpoints.cpp  writing a checkpoint and taking the newest valid one back
// What differs between jobs comes from a job_kind. Nothing here throws for control flow:
// graph failures are error values (bert::pipeline), recovered from here; an error returned
// ends the job with its message. Only I/O errors of the logs and checkpoint files, and a
// non-finite loss, throw (runtime/train, runtime/checkpoint): they end the job, caught once
// at the actor's boundary.
#pragma once

#include "actors/jobs/batch_source.hpp"
#include "actors/jobs/job_kind.hpp"
#include "actors/jobs/run_plan.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/monitor/probes.hpp"
#include "runtime/train/lr_schedule.hpp"
#include "runtime/train/metrics_log.hpp"

#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace axon {

/// The learning-rate schedule of a run of `total_steps` steps (0: no step budget: the rate
/// stays at its peak after the warm-up).
train::lr_schedule_config schedule_of(const run_plan& plan, std::int64_t total_steps);

/// "1 shard", "3 shards": for messages.
std::string shards_text(std::int32_t shards);
/// A refused request (`what`: "scale shards 3", "join worker2") of a job left with `shards`.
caf::error refused_unchanged(const std::string& what, const std::string& why,
                             std::int32_t shards);

/// A step applied by job_run::next_step.
struct applied_step {
  data::batch batch; // what it trained on (entities linked)
  float lr = 0;
  double loss = 0;     // NaN: applied, but its loss was lost with a failure
  double seconds = 0;  // from asking the loader for its batch to the step's end
};

/// What one training step came to.
struct step_outcome {
  bool applied = false; // false: a recovery took the run back; the loader sends this batch
                        // again (or an earlier one)
  double loss = 0;      // NaN: applied, but its loss was lost with the failure
};

class job_run {
public:
  /// `ledger`: keep RUN_DIR/ledger.jsonl (the example rows of every step).
  job_run(caf::blocking_actor* self, const run_plan& plan, job_kind& kind,
          std::shared_ptr<batch_source> source, bool ledger);
  ~job_run(); // stops the loader, removes the probes
  job_run(const job_run&) = delete;
  job_run& operator=(const job_run&) = delete;

  // ---- job_run.cpp ----
  /// Spawns the graph; fresh (initial weights), or resumed from the newest valid
  /// checkpoint; then the loader is rewound to the run's cursor.
  caf::error start();
  /// The loader's next batch (a granted credit brings the one after it meanwhile).
  caf::expected<data::batch> next_batch();
  /// Console control between steps (between_steps), then the next batch trained at the
  /// schedule's rate (train). The step applied; nothing when the console stopped the job
  /// (stop_requested()) or a recovery took the run back (ask again).
  caf::expected<std::optional<applied_step>> next_step();
  /// The step loop of both jobs: while `more()` holds and the console has not stopped the
  /// job, steps (next_step), each applied one handed to `on_step` (const applied_step& ->
  /// caf::expected<bool>: true ends the loop, e.g. an early stop; an error ends the job).
  template <class More, class OnStep>
  caf::error step_loop(More more, OnStep on_step);
  /// One training step on `batch` at `lr`, recovering from a lost actor (the loader is
  /// rewound then); an applied step counts: step(), cursor() and the ledger advance.
  caf::expected<step_outcome> train(data::batch batch, float lr);
  /// The step's end for the console: busy time, history, details. Returns the seconds
  /// since the previous step ended.
  double record_step(double loss, double lr, std::int64_t tokens);
  void publish_details();
  /// Closes metrics.jsonl and the ledger (fsynced).
  void close_logs();

  // ---- job_control.cpp ----
  /// Handles the console requests waiting in the mailbox; while paused, waits for more.
  /// An error when a requested checkpoint could not be written (recovery gave up).
  caf::error between_steps();
  bool stop_requested() const { return stop_requested_; }
  /// `stop` from the console: a final checkpoint, the "stop" event, logs closed.
  caf::error stop_now();

  // ---- job_recovery.cpp ----
  /// Runs `work` (requests to the graph: () -> caf::error); when the graph loses an actor
  /// meanwhile, recovers and runs it again if the run is still at the same step. False when
  /// recovery went back to an earlier step (a checkpoint): the caller's work no longer
  /// applies. An error when it failed otherwise, or recovery gave up.
  template <class Work>
  caf::expected<bool> recovering(Work work);
  /// One more recovery in a row; past train.recovery-attempts an error ending the job.
  caf::error count_attempt(const caf::error& failure);
  /// Stops the old graph and spawns it anew, lost node processes rejoined or their actors
  /// moved. Returns {lost node: where its actors run now}; an error when the new graph
  /// cannot be spawned.
  caf::expected<nlohmann::json> respawn_graph(const std::vector<std::string>& lost_nodes);

  // ---- job_scale.cpp ----
  /// `scale shards N` from the console, between steps: the text for the console, or an
  /// error saying why it was refused (the job goes on unchanged).
  caf::expected<std::string> scale(std::int32_t shards);

  // ---- job_nodes.cpp ----
  /// A node process that joins (placement.elastic): connected, then the job grows by the
  /// shards placement.nodes puts there (at least one). The text, or why it was refused.
  caf::expected<std::string> join(const std::string& node);
  /// A node process that leaves: the job shrinks by the shards it runs, which it hands
  /// back. The text, or why it was refused (the job goes on unchanged).
  caf::expected<std::string> leave(const std::string& node);

  // ---- job_checkpoints.cpp ----
  /// A checkpoint of the current step (nothing when written already, unless `is_best`).
  caf::error save(bool is_best);
  checkpoint::expected_layout expected() const;

  bert::pipeline& pipeline() { return *pipeline_; }
  train::metrics_log& log() { return *log_; }
  std::int64_t step() const { return step_; }
  const data::stream_cursor& cursor() const { return cursor_; }
  train::lr_schedule_config& schedule() { return schedule_; }
  float lr() const;
  void set_total_steps(std::int64_t total) { total_steps_ = total; }
  const std::string& last_checkpoint() const { return last_checkpoint_; }
  const std::vector<param_spec>& specs() const { return specs_; }
  std::filesystem::path metrics_path() const;

private:
  // job_run.cpp
  caf::error initial_weights();
  void load_init_weights(const param_arena& weights);
  caf::error rewind_loader();
  void reopen_logs();
  void record_samples(const data::batch& batch);
  void count_message();
  void note_state(monitor::activity a);
  // job_control.cpp
  template <class... Timeout>
  void receive_control(Timeout&&... timeout);
  // job_recovery.cpp
  caf::expected<bool> recover(const caf::error& failure, const data::batch* interrupted);
  caf::expected<std::string> restore(const std::optional<bert::training_state>& survived);
  // job_scale.cpp
  /// "" or why the job cannot run `shards` shards now.
  std::string scale_refusal(std::int32_t shards) const;
  /// The graph to `shards` shards; `what` begins an error's text. When an actor is lost
  /// meanwhile the job recovers, and the error says so.
  caf::error resize(std::int32_t shards, const std::string& what);
  /// The scale event from `from` shards, begun at `began`: logged, shown; the text.
  std::string record_scale(std::int32_t from, std::chrono::steady_clock::time_point began);
  // job_checkpoints.cpp
  caf::expected<bool> restore_checkpoint();

  caf::blocking_actor* self_;
  const run_plan& plan_;
  job_kind& kind_;
  std::vector<param_spec> specs_;
  std::unique_ptr<bert::pipeline> pipeline_; // spawned by start(), anew by recovery
  caf::actor loader_;
  std::optional<train::metrics_log> log_;    // RUN_DIR/metrics.jsonl, opened by start()
  std::optional<train::metrics_log> ledger_; // RUN_DIR/ledger.jsonl, when kept
  bool keep_ledger_;
  train::lr_schedule_config schedule_;
  std::int64_t step_ = 0, total_steps_ = 0;
  data::stream_cursor cursor_; // the loader's, after the last applied step
  std::string last_checkpoint_;
  int recoveries_in_a_row_ = 0; // without a completed step between them
  // console control and probes
  std::shared_ptr<monitor::actor_probe> probe_, loader_probe_; // null: monitoring off
  bool paused_ = false, stop_requested_ = false;
  caf::error control_failure_; // a requested checkpoint that failed
  std::chrono::steady_clock::time_point last_step_end_ = std::chrono::steady_clock::now();
};

/// The body of a supervisor actor: runs `job.run()` and ends `self` with its error, or with
/// the message of an exception it let through (I/O errors of logs and checkpoints, a
/// non-finite loss).
template <class Job>
void run_job(caf::blocking_actor* self, Job&& job) {
  caf::error failed;
  try {
    failed = job.run();
  } catch (const std::exception& e) {
    failed = make_error(errc::failed, e.what());
  }
  if (failed)
    self->fail_state(std::move(failed));
}

template <class More, class OnStep>
caf::error job_run::step_loop(More more, OnStep on_step) {
  while (more()) {
    auto next = next_step();
    if (!next)
      return next.error();
    if (stop_requested_)
      break;
    if (!*next)
      continue; // a recovery took the run back: the loader sends the batch again
    auto done = on_step(**next);
    if (!done)
      return done.error();
    if (*done)
      break;
  }
  return caf::none;
}

template <class Work>
caf::expected<bool> job_run::recovering(Work work) {
  for (;;) {
    const auto at = step_;
    auto err = work();
    if (!err)
      return true;
    if (!pipeline_->broken())
      return err;
    auto recovered = recover(err, nullptr);
    if (!recovered)
      return recovered.error();
    if (step_ != at)
      return false;
  }
}

} // namespace axon
