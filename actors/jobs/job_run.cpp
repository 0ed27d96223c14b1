// job_run: start, the loader, one training step, logs, probes. See job_run.hpp.
#include "actors/jobs/job_run.hpp"

#include "actors/jobs/loader_actor.hpp"
#include "actors/jobs/messages.hpp"
#include "actors/kg/messages.hpp"
#include "graphs/bert/bert_params.hpp"
#include "ops/cpu/elementwise.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/graph/atoms.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/train/finite_loss.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>

namespace axon {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

train::lr_schedule_config schedule_of(const run_plan& plan, std::int64_t total_steps) {
  const auto warmup = plan.warmup_steps >= 0
                        ? plan.warmup_steps
                        : static_cast<std::int64_t>(plan.warmup_ratio * double(total_steps));
  return {total_steps > 0 ? plan.schedule : train::lr_schedule_kind::constant,
          plan.layout.adamw.lr, warmup, std::max<std::int64_t>(total_steps, 1)};
}

job_run::job_run(caf::blocking_actor* self, const run_plan& plan, job_kind& kind,
                 std::shared_ptr<batch_source> source, bool ledger)
  : self_(self), plan_(plan), kind_(kind), specs_(bert::param_specs(plan.layout.model)),
    keep_ledger_(ledger), paused_(plan.start_paused) {
  if (paused_)
    std::cerr << "paused before the first step (monitor.start-paused): `resume` from the "
                 "console starts it\n";
  loader_ = spawn_loader(self->system(), std::move(source));
  self_->monitor(loader_);
  auto& probes = monitor::process_probes();
  if (!probes.enabled())
    return;
  // The supervisor's and the loader's monitoring probes (the graph registers the others).
  probe_ = probes.add_actor("supervisor", "axon.supervisor", "local", "cpu", self->id());
  loader_probe_ = probes.add_actor("loader", "axon.loader", "local", "cpu", loader_.id());
  loader_probe_->kill = [addr = caf::actor_cast<caf::actor_addr>(loader_)] {
    if (auto target = caf::actor_cast<caf::actor>(addr))
      caf::anon_send_exit(target, caf::exit_reason::kill);
  };
}

job_run::~job_run() {
  if (probe_)
    monitor::process_probes().remove_actors({self_->id(), loader_.id()});
  caf::anon_send_exit(loader_, caf::exit_reason::user_shutdown);
}

float job_run::lr() const {
  return static_cast<float>(train::learning_rate(schedule_, step_));
}

fs::path job_run::metrics_path() const {
  return fs::path{plan_.run_dir} / "metrics.jsonl";
}

// ---- start: fresh, from weights, or resumed ------------------------------------------
caf::error job_run::start() {
  auto spawned = bert::pipeline::spawn(self_->system(), plan_.layout, plan_.cluster);
  if (!spawned)
    return spawned.error();
  pipeline_ = std::move(*spawned);
  fs::create_directories(fs::path{plan_.run_dir} / "checkpoints");
  if (plan_.resume) {
    auto found = restore_checkpoint();
    if (!found)
      return found.error();
    if (!*found)
      return make_error(errc::bad_input,
                        "--resume: no valid checkpoint in " + plan_.run_dir + "/checkpoints");
    reopen_logs();
  } else {
    log_.emplace(train::metrics_log::create(metrics_path()));
    if (keep_ledger_)
      ledger_.emplace(train::metrics_log::create(fs::path{plan_.run_dir} / "ledger.jsonl"));
    if (auto err = initial_weights())
      return err;
  }
  return rewind_loader();
}

// The weights of step 0: fresh, with the KG service's entity table and model.init's
// tensors.
caf::error job_run::initial_weights() {
  const bool kg_table = plan_.layout.kg && plan_.layout.kg->table.defined();
  if (plan_.init_weights.empty() && !kg_table)
    return pipeline_->init_params();
  param_arena weights{specs_};
  bert::init_params(weights, plan_.layout.seed); // tensors the files lack stay fresh
  if (kg_table) {
    auto table = pipeline_->entity_table();
    if (!table)
      return table.error();
    ops::copy_into(weights[bert::entity_table_name], *table);
  }
  if (!plan_.init_weights.empty())
    load_init_weights(weights);
  return pipeline_->load_params(weights);
}

// model.init: Hugging Face names; what the file lacks keeps its fresh values.
void job_run::load_init_weights(const param_arena& weights) {
  auto report = checkpoint::load_weights(read_safetensors(plan_.init_weights), weights);
  std::cerr << "model.init: " << report.loaded.size() << " tensors from " << plan_.init_weights;
  if (!report.missing.empty()) {
    std::cerr << "; initialised fresh:";
    for (const auto& name : report.missing)
      std::cerr << ' ' << name;
  }
  if (!report.unused.empty())
    std::cerr << "; unused: " << report.unused.size() << " tensors"
              << (std::any_of(report.unused.begin(), report.unused.end(),
                              [](const auto& name) { return name.starts_with("cls."); })
                    ? " (cls.predictions.*: the pretraining head, not used here)"
                    : "");
  std::cerr << '\n';
}

// Continuing from step_: the lines of metrics.jsonl and ledger.jsonl written after it go
// (those steps are not in the weights now), later lines append.
void job_run::reopen_logs() {
  if (log_)
    log_->close();
  log_.emplace(train::metrics_log::open_for_resume(metrics_path(), step_));
  if (!keep_ledger_)
    return;
  if (ledger_)
    ledger_->close();
  ledger_.emplace(
    train::metrics_log::open_for_resume(fs::path{plan_.run_dir} / "ledger.jsonl", step_));
}

void job_run::close_logs() {
  log_->close();
  if (ledger_)
    ledger_->close();
}

// ---- the loader ----------------------------------------------------------------------
// The loader continues at cursor_ (after the last applied step); the batches it sent
// before are stale and dropped, then one batch of credit is granted.
caf::error job_run::rewind_loader() {
  caf::error failed;
  self_->request(loader_, caf::infinite, restore_atom::value, cursor_)
    .receive([](bool) {},
             [&](caf::error& err) {
               failed = make_error(errc::failed, "rewinding the loader: " + error_text(err));
             });
  if (failed)
    return failed;
  for (bool stale = true; stale;)
    self_->receive([](data::batch&) {},
                   caf::after(std::chrono::seconds(0)) >> [&] { stale = false; });
  self_->send(loader_, credit_atom::value, std::int32_t{1});
  return caf::none;
}

caf::expected<data::batch> job_run::next_batch() {
  data::batch got;
  caf::error failed;
  bool done = false;
  self_->receive_while([&] { return !done; })(
    [&](data::batch& b) {
      got = std::move(b);
      done = true;
    },
    [&](caf::down_msg& down) {
      failed = make_error(errc::failed, "the loader stopped: " + error_text(down.reason));
      done = true;
    });
  if (failed)
    return failed;
  count_message();
  self_->send(loader_, credit_atom::value, std::int32_t{1}); // prefetch the next one
  return got;
}

// ---- one step --------------------------------------------------------------------------
caf::expected<std::optional<applied_step>> job_run::next_step() {
  if (auto err = between_steps())
    return err;
  if (stop_requested_)
    return std::optional<applied_step>{};
  const auto begin = clock_type::now();
  auto batch = next_batch();
  if (!batch)
    return batch.error();
  const auto rate = lr();
  auto done = train(*batch, rate);
  if (!done)
    return done.error();
  if (!done->applied) // the loader sends this step's batch again (or an earlier one)
    return std::optional<applied_step>{};
  const double seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
  return std::optional<applied_step>{applied_step{std::move(*batch), rate, done->loss, seconds}};
}

caf::expected<step_outcome> job_run::train(data::batch batch, float lr) {
  auto err = kind_.prepare(batch, *pipeline_);
  double loss = std::numeric_limits<double>::quiet_NaN();
  if (!err) {
    auto result = pipeline_->train_step(batch, static_cast<std::uint64_t>(step_), lr);
    if (result) {
      loss = result->first;
      recoveries_in_a_row_ = 0;
      train::require_finite_loss(step_ + 1, loss); // NaN below: unknown after a recovery
    } else {
      err = std::move(result.error());
    }
  }
  if (err) {
    if (!pipeline_->broken())
      return err;
    auto applied = recover(err, &batch);
    if (!applied)
      return applied.error();
    if (!*applied)
      return step_outcome{false, 0}; // the loader sends this step's batch again
  }
  ++step_;
  cursor_ = batch.next;
  if (keep_ledger_)
    record_samples(batch);
  return step_outcome{true, loss};
}

// The ledger: which examples of the train split step `step_` applied, one line per step,
// so that a run's history (across resumes) can be checked for samples lost or repeated.
void job_run::record_samples(const data::batch& batch) {
  const auto* rows = batch.examples.data<std::int32_t>();
  ledger_->append({{"step", step_},
                   {"epoch", batch.epoch},
                   {"samples", std::vector<std::int32_t>(rows, rows + batch.examples.numel())}});
}

// ---- probes ----------------------------------------------------------------------------
double job_run::record_step(double loss, double lr, std::int64_t tokens) {
  auto now = clock_type::now();
  double seconds = std::chrono::duration<double>(now - last_step_end_).count();
  last_step_end_ = now;
  if (probe_) // a step is the supervisor's busy time
    probe_->busy_ns.fetch_add(std::int64_t(seconds * 1e9), std::memory_order_relaxed);
  auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  if (!std::isnan(loss))
    monitor::process_probes().add_train_point(
      {step_, loss, lr, double(tokens) / std::max(seconds, 1e-9), unix_ms});
  publish_details();
  return seconds;
}

void job_run::count_message() {
  if (!probe_)
    return;
  probe_->messages_in.fetch_add(1, std::memory_order_relaxed);
  probe_->last_message_ns.store(monitor::now_ns(), std::memory_order_relaxed);
}

void job_run::note_state(monitor::activity a) {
  if (probe_)
    probe_->state.store(a, std::memory_order_relaxed);
}

// What `inspect supervisor` shows.
void job_run::publish_details() {
  if (!probe_)
    return;
  probe_->set_detail("step", double(step_));
  probe_->set_detail("total_steps", double(total_steps_));
  probe_->set_detail("peak_lr", schedule_.base_lr);
  probe_->set_detail("paused", paused_ ? 1.0 : 0.0);
  probe_->set_detail("last_checkpoint", last_checkpoint_);
  if (pipeline_) // after the last scale event
    probe_->set_detail("shards", double(pipeline_->layout().shards));
  kind_.publish(*probe_);
}

} // namespace axon
