// supervisor actor: see supervisor_actor.hpp.
#include "actors/jobs/supervisor_actor.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/graph/atoms.hpp"
#include "actors/jobs/loader_actor.hpp"
#include "actors/jobs/messages.hpp"
#include "actors/kg/messages.hpp"
#include "actors/jobs/resume_pipeline.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "ops/cpu/elementwise.hpp"
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/data/batcher.hpp"
#include "runtime/monitor/probes.hpp"
#include "runtime/train/classification_report.hpp"
#include "runtime/train/finite_loss.hpp"
#include "runtime/train/metrics_log.hpp"
#include "runtime/train/progress.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace axon {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

bert::batch as_batch(const data::batch& b) {
  return {b.ids, b.token_types, b.attention_mask, b.labels, b.entities};
}

class training_run {
public:
  training_run(caf::blocking_actor* self, const supervisor_plan& plan)
    : self_(self), plan_(plan), specs_(bert::param_specs(plan.layout.model)) {
    pipeline_.emplace(self->system(), plan.layout, plan.cluster);
  }

  void run() {
    const std::size_t n = plan_.train->size();
    const std::size_t shards = plan_.layout.shards;
    // A last batch too small to give every shard a row is dropped.
    drop_last_ = n % plan_.batch_size != 0 && n % plan_.batch_size < shards;
    batches_per_epoch_ = n / plan_.batch_size + (n % plan_.batch_size != 0 && !drop_last_);
    if (batches_per_epoch_ == 0)
      throw std::runtime_error("the train split has " + std::to_string(n)
                               + " rows: too few for one batch across " + std::to_string(shards)
                               + " shards");
    // train.epochs and train.max-steps both bound the run: whichever ends it first wins.
    total_steps_ = static_cast<std::int64_t>(batches_per_epoch_) * plan_.epochs;
    if (plan_.max_steps > 0)
      total_steps_ = std::min(total_steps_, plan_.max_steps);
    auto warmup = plan_.warmup_steps >= 0
                    ? plan_.warmup_steps
                    : static_cast<std::int64_t>(plan_.warmup_ratio * double(total_steps_));
    schedule_ = {plan_.schedule, plan_.layout.adamw.lr, warmup, total_steps_};
    data::batcher_options loader_options{plan_.batch_size, plan_.layout.seed, plan_.shuffle,
                                         drop_last_, plan_.pad_id};
    loader_ = spawn_loader(self_->system(), plan_.train, loader_options);
    self_->monitor(loader_);
    probes_registered probes{self_, loader_};
    probe_ = probes.supervisor.get();
    start();
    train_loop();
    if (stop_requested_)
      stop_now();
    else
      finish();
    caf::anon_send_exit(loader_, caf::exit_reason::user_shutdown);
  }

private:
  // The supervisor's and the loader's monitoring probes (the graph registers the others).
  struct probes_registered {
    std::shared_ptr<monitor::actor_probe> supervisor, loader;
    std::vector<std::uint64_t> ids;
    probes_registered(caf::blocking_actor* self, const caf::actor& loader_actor) {
      auto& probes = monitor::process_probes();
      if (!probes.enabled())
        return;
      supervisor = probes.add_actor("supervisor", "axon.supervisor", "local", "cpu", self->id());
      loader = probes.add_actor("loader", "axon.loader", "local", "cpu", loader_actor.id());
      loader->kill = [addr = caf::actor_cast<caf::actor_addr>(loader_actor)] {
        if (auto target = caf::actor_cast<caf::actor>(addr))
          caf::anon_send_exit(target, caf::exit_reason::kill);
      };
      ids = {self->id(), loader_actor.id()};
    }
    ~probes_registered() { monitor::process_probes().remove_actors(ids); }
  };

  // ---- console control, between steps ---------------------------------------------------
  // Handles the control messages waiting in the mailbox; while paused, waits for more.
  void handle_control() {
    bool waiting = true;
    while (waiting) {
      if (paused_ && !stop_requested_) {
        note_state(monitor::activity::idle);
        receive_control();
      } else {
        receive_control(caf::after(std::chrono::seconds(0)) >> [&] { waiting = false; });
      }
    }
    note_state(monitor::activity::busy);
  }

  // Receives one control message; `timeout` (optional) ends the wait.
  template <class... Timeout>
  void receive_control(Timeout&&... timeout) {
    auto at_step = [this] { return " at step " + std::to_string(step_); };
    self_->receive(
      [this, at_step](pause_atom) {
        count_message();
        paused_ = true;
        publish_details();
        return "paused" + at_step();
      },
      [this, at_step](resume_atom) {
        count_message();
        paused_ = false;
        publish_details();
        return "resumed" + at_step();
      },
      [this](checkpoint_atom) {
        count_message();
        recovering([this] { save(false); });
        publish_details();
        return "checkpoint written: " + last_checkpoint_;
      },
      [this, at_step](set_atom, const std::string& key, double value) -> caf::result<std::string> {
        count_message();
        if (key != "train.lr")
          return make_error(errc::bad_input,
                                 "only train.lr can be set while training, not " + key);
        if (!(value > 0 && value <= 1))
          return make_error(errc::bad_input,
                                 "train.lr must be in (0, 1], got " + std::to_string(value));
        schedule_.base_lr = value;
        log_->append({{"event", "set"}, {"step", step_}, {"key", key}, {"value", value}});
        std::cerr << "console: train.lr = " << value << " from step " << step_ + 1 << '\n';
        publish_details();
        return "train.lr = " + std::to_string(value) + at_step() + " (peak rate, from the next step)";
      },
      [this, at_step](stop_atom) {
        count_message();
        stop_requested_ = true;
        return "stopping" + at_step() + " with a final checkpoint";
      },
      std::forward<Timeout>(timeout)...);
  }

  void count_message() {
    if (!probe_)
      return;
    probe_->messages_in.fetch_add(1, std::memory_order_relaxed);
    probe_->last_message_ns.store(monitor::now_ns(), std::memory_order_relaxed);
  }

  void note_state(monitor::activity a) {
    if (probe_)
      probe_->state.store(a, std::memory_order_relaxed);
  }

  // What `inspect supervisor` shows.
  void publish_details() {
    if (!probe_)
      return;
    probe_->set_detail("step", double(step_));
    probe_->set_detail("total_steps", double(total_steps_));
    probe_->set_detail("epoch", double(current_epoch_));
    probe_->set_detail("peak_lr", schedule_.base_lr);
    probe_->set_detail("paused", paused_ ? 1.0 : 0.0);
    if (stopping_state_.has_best) {
      probe_->set_detail("best_metric", stopping_state_.best_value);
      probe_->set_detail("best_step", double(stopping_state_.best_step));
    }
    if (plan_.early_stop)
      probe_->set_detail("patience_left", double(plan_.stopping.patience
                                                 - stopping_state_.evals_without_improvement));
    else
      probe_->set_detail("patience_left", std::string{"off (eval.patience = 0)"});
    probe_->set_detail("metric", plan_.metric);
    probe_->set_detail("last_checkpoint", last_checkpoint_);
  }

  // `stop` from the console: a final checkpoint, then the end (resumable; no test report).
  void stop_now() {
    recovering([this] { save(false); });
    log_->append({{"event", "stop"}, {"step", step_}, {"checkpoint", last_checkpoint_}});
    log_->close();
    ledger_->close();
    std::cerr << "stopped by the console at step " << step_ << "; final checkpoint "
              << last_checkpoint_ << "; continue with: axon train --resume " << plan_.run_dir
              << '\n';
  }

  // ---- start: fresh, from weights, or resumed ------------------------------------------
  void start() {
    fs::create_directories(fs::path{plan_.run_dir} / "checkpoints");
    if (plan_.resume) {
      if (!restore_checkpoint())
        throw std::runtime_error("--resume: no valid checkpoint in " + plan_.run_dir
                                 + "/checkpoints");
      reopen_logs();
    } else {
      log_.emplace(train::metrics_log::create(metrics_path()));
      ledger_.emplace(train::metrics_log::create(ledger_path()));
      initial_weights();
    }
    rewind_loader();
  }

  // The weights of step 0: fresh, with the KG service's entity table and model.init's
  // tensors.
  void initial_weights() {
    const bool kg_table = plan_.layout.kg && plan_.layout.kg->table.defined();
    if (plan_.init_weights.empty() && !kg_table) {
      pipeline_->init_params();
      return;
    }
    param_arena weights{specs_};
    bert::init_params(weights, plan_.layout.seed); // tensors the files lack stay fresh
    if (kg_table)
      ops::copy_into(weights[bert::entity_table_name], pipeline_->entity_table());
    if (!plan_.init_weights.empty())
      load_init_weights(weights);
    pipeline_->load_params(weights);
  }

  // Continuing from step_: the lines of metrics.jsonl and ledger.jsonl written after it
  // go (those steps are not in the weights now), later lines append.
  void reopen_logs() {
    if (log_)
      log_->close();
    if (ledger_)
      ledger_->close();
    log_.emplace(train::metrics_log::open_for_resume(metrics_path(), step_));
    ledger_.emplace(train::metrics_log::open_for_resume(ledger_path(), step_));
  }

  fs::path metrics_path() const { return fs::path{plan_.run_dir} / "metrics.jsonl"; }
  fs::path ledger_path() const { return fs::path{plan_.run_dir} / "ledger.jsonl"; }

  // The loader continues at cursor_ (after the last applied step); the batches it sent
  // before are stale and dropped, then one batch of credit is granted.
  void rewind_loader() {
    self_->request(loader_, caf::infinite, restore_atom::value, cursor_.first, cursor_.second)
      .receive([](bool) {},
               [](caf::error& err) {
                 throw std::runtime_error("rewinding the loader: " + error_text(err));
               });
    for (bool stale = true; stale;)
      self_->receive([](msg::batch_msg&) {},
                     caf::after(std::chrono::seconds(0)) >> [&] { stale = false; });
    self_->send(loader_, credit_atom::value, std::int32_t{1});
  }

  // model.init: Hugging Face names; what the file lacks keeps its fresh values.
  void load_init_weights(const param_arena& weights) {
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

  checkpoint::expected_layout expected() const {
    return {plan_.config_hash, specs_};
  }

  // The newest valid checkpoint's state into the graph, step, epoch, cursor and early
  // stopping; false when there is none.
  bool restore_checkpoint() {
    const auto found = resume_pipeline(*pipeline_, plan_.run_dir, expected());
    if (!found)
      return false;
    const auto& ckpt = *found;
    step_ = ckpt.info.step;
    epoch_ = ckpt.info.epoch;
    cursor_ = {ckpt.info.cursor.epoch, ckpt.info.cursor.position};
    auto history = nlohmann::json::parse(ckpt.info.metrics_history);
    stopping_state_ = history.contains("early_stopping")
                        ? history["early_stopping"].get<train::early_stopping_state>()
                        : train::early_stopping_state{};
    last_checkpoint_ = ckpt.folder.filename().string();
    std::cerr << "resumed from " << ckpt.folder.string() << " (step " << step_ << ", epoch "
              << epoch_ + 1 << ")\n";
    return true;
  }

  // ---- recovery ------------------------------------------------------------------------
  // Runs `work` (requests to the graph); when the graph loses an actor meanwhile, recovers
  // and runs it again if the run is still at the same step. False when recovery went back
  // to an earlier step (a checkpoint): the caller's work no longer applies.
  template <class Work>
  bool recovering(Work work) {
    for (;;) {
      const auto at = step_;
      try {
        work();
        return true;
      } catch (const bert::graph_failure& failure) {
        recover(failure);
        if (step_ != at)
          return false;
      }
    }
  }

  // `interrupted`: the batch of the step that failed, if a step did. True when every
  // optimizer actor had applied that step before the failure: it counts as done (its loss
  // is unknown) and the loader continues after its batch.
  bool recover(const bert::graph_failure& failure, const msg::batch_msg* interrupted = nullptr) {
    const auto started = clock_type::now();
    count_attempt(failure);
    note_state(monitor::activity::idle);
    // The state of the last applied step lives on in the optimizer actors when they all
    // survived and hold the same step: none applied the interrupted one, or all did (the
    // failure came after the coordinator had sent the updates).
    std::optional<bert::training_state> survived;
    bool applied = false;
    try {
      pipeline_->stop_coordinator(); // no step goes on applying updates meanwhile
      auto state = pipeline_->gather_state();
      applied = interrupted != nullptr && state.steps == step_ + 1;
      if (state.steps == step_ || applied)
        survived = std::move(state);
    } catch (const std::exception& e) {
      std::cerr << "recovery: " << e.what() << '\n';
    }
    // A node lost while the graph is spawned again or its state restored: once more, from
    // the same state, as a further attempt.
    nlohmann::json placed = nlohmann::json::object();
    std::string restored_from;
    auto lost_actors = pipeline_->lost_actors(); // with those found while reading the state
    for (auto lost_nodes = pipeline_->lost_nodes();;) {
      try {
        placed.update(respawn_graph(lost_nodes));
        restored_from = restore(survived);
        break;
      } catch (const bert::graph_failure& again) {
        count_attempt(again);
        lost_nodes = again.lost_nodes;
      }
    }
    if (applied) { // the loop records the step as done; the loader goes on after its batch
      cursor_ = {interrupted->next_epoch, interrupted->next_position};
      recoveries_in_a_row_ = 0;
    }
    rewind_loader();
    double seconds = std::chrono::duration<double>(clock_type::now() - started).count();
    std::vector<std::string> lost_nodes;
    for (const auto& [node, host] : placed.items())
      lost_nodes.push_back(node);
    log_->append({{"event", "recovery"},
                  {"step", applied ? step_ + 1 : step_},
                  {"lost", lost_actors},
                  {"nodes", lost_nodes},
                  {"placed", placed},
                  {"restored_from", restored_from},
                  {"seconds", seconds}});
    std::cerr << "recovery: restored from " << restored_from << " in " << seconds
              << " s; training continues after step " << (applied ? step_ + 1 : step_) << '\n';
    note_state(monitor::activity::busy);
    return applied;
  }

  // One more recovery in a row; past train.recovery-attempts the job ends with `failure`.
  void count_attempt(const bert::graph_failure& failure) {
    if (++recoveries_in_a_row_ > plan_.recovery_attempts)
      throw std::runtime_error(
        failure.what()
        + (plan_.recovery_attempts == 0
             ? std::string{}
             : " (gave up after " + std::to_string(plan_.recovery_attempts)
                 + " recoveries in a row without a completed step: train.recovery-attempts)"));
    std::cerr << "recovery: " << failure.what() << '\n';
  }

  // The state into the new graph: the optimizers' if they had it, else the newest valid
  // checkpoint's, else the initial weights. Returns which.
  std::string restore(const std::optional<bert::training_state>& survived) {
    if (survived) {
      pipeline_->restore_state(*survived);
      return "optimizers";
    }
    if (restore_checkpoint()) {
      reopen_logs();
      return "checkpoint " + last_checkpoint_;
    }
    step_ = epoch_ = 0; // nothing saved yet: from the start
    cursor_ = {0, 0};
    stopping_state_ = {};
    initial_weights();
    reopen_logs();
    return "start";
  }

  // Stops the old graph (its messages in flight die with it) and spawns it anew. Each lost
  // node process gets rejoin_timeout to come back; else its actors move to the surviving
  // process hosting the fewest. Returns {lost node: where its actors run now}.
  nlohmann::json respawn_graph(const std::vector<std::string>& lost_nodes) {
    std::vector<std::string> graph_nodes;
    for (const auto& node : pipeline_->graph().nodes())
      graph_nodes.push_back(node.name);
    pipeline_.reset();
    nlohmann::json placed = nlohmann::json::object();
    for (const auto& node : lost_nodes) {
      if (plan_.cluster->rejoin(node, plan_.rejoin_timeout)) {
        placed[node] = node;
        std::cerr << "recovery: node " << node << " is back\n";
      } else {
        placed[node] = plan_.cluster->relocate(node, graph_nodes);
        std::cerr << "recovery: node " << node << " did not come back within "
                  << "cluster.rejoin-timeout; its actors now run on " << placed[node].get<std::string>()
                  << '\n';
      }
    }
    pipeline_.emplace(self_->system(), plan_.layout, plan_.cluster);
    return placed;
  }

  // ---- the epochs --------------------------------------------------------------------
  void train_loop() {
    train::early_stopping stopping{plan_.stopping, stopping_state_};
    auto progress = train::progress_printer_for(stderr, plan_.log_every);
    double loss_sum = 0, tokens = 0;
    std::int64_t logged_steps = 0;
    auto window_start = clock_type::now();
    // A resumed run that had already stopped early trains no further.
    const bool stopped_early = plan_.early_stop && stopping_state_.has_best
                               && stopping_state_.evals_without_improvement >= plan_.stopping.patience;
    publish_details();
    while (!stopped_early && step_ < total_steps_ && epoch_ < plan_.epochs) {
      handle_control();
      if (stop_requested_)
        break;
      auto batch = next_batch();
      count_message();
      self_->send(loader_, credit_atom::value, std::int32_t{1}); // prefetch the next one
      auto lr = static_cast<float>(train::learning_rate(schedule_, step_));
      bert::batch in{batch.ids, batch.types, batch.mask, batch.labels, batch.entities};
      double loss = 0;
      try {
        if (plan_.layout.kg)
          in.entities = linked_entities(*plan_.train, batch.examples, batch.ids.size(1));
        loss = pipeline_->train_step(in, static_cast<std::uint64_t>(step_), lr).first;
        recoveries_in_a_row_ = 0;
        train::require_finite_loss(step_ + 1, loss); // NaN below: unknown after a recovery
      } catch (const bert::graph_failure& failure) {
        progress.finish();
        if (!recover(failure, &batch))
          continue; // the loader sends this step's batch again (or an earlier one)
        loss = std::numeric_limits<double>::quiet_NaN(); // applied, but its loss never came
      }
      ++step_;
      // The one epoch convention (progress line, metrics.jsonl, console): a step belongs to
      // the epoch, counted from 1, of the batch it trained on; an evaluation after it too.
      const int step_epoch = static_cast<int>(batch.epoch) + 1;
      current_epoch_ = step_epoch;
      cursor_ = {batch.next_epoch, batch.next_position};
      record_samples(batch);
      const auto step_tokens = batch.ids.numel();
      const bool loss_known = !std::isnan(loss);
      if (loss_known) {
        loss_sum += loss;
        ++logged_steps;
      }
      tokens += double(step_tokens);
      progress.step_done(step_epoch, plan_.epochs, step_, total_steps_, loss, step_tokens,
                         batch.ids.size(0));
      record_step(loss, lr, step_tokens);
      if ((step_ % plan_.log_every == 0 || step_ == total_steps_) && logged_steps > 0) {
        double seconds = std::chrono::duration<double>(clock_type::now() - window_start).count();
        log_->append(train::train_event(step_, step_epoch, loss_sum / double(logged_steps), lr,
                                       tokens / std::max(seconds, 1e-9)));
        loss_sum = tokens = 0;
        logged_steps = 0;
        window_start = clock_type::now();
      }
      bool epoch_end = batch.last_in_epoch;
      if (epoch_end)
        ++epoch_;
      bool evaluate_now = !plan_.dev->empty()
                          && (epoch_end || step_ == total_steps_
                              || (plan_.eval_every > 0 && step_ % plan_.eval_every == 0));
      if (evaluate_now) {
        progress.finish();
        train::classification_report report{plan_.label_names};
        if (!recovering([&] { report = evaluate(*plan_.dev); }))
          continue;
        log_->append(train::eval_event("dev", step_, step_epoch, report));
        double value = metric_of(report);
        auto decision = stopping.update(value, step_);
        std::cerr << "dev step " << step_ << ": loss " << report.mean_loss() << " accuracy "
                  << report.accuracy() << " macro_f1 " << report.macro_average().f1
                  << (decision.improved ? " (best)" : "") << '\n';
        stopping_state_ = stopping.state();
        monitor::process_probes().add_eval_point(
          {step_, report.mean_loss(), report.accuracy(), report.macro_average().f1});
        if (!recovering([&] { save(decision.improved); }))
          continue;
        if (plan_.early_stop && decision.should_stop) {
          log_->append(train::early_stop_event(step_, stopping.best_step(), *stopping.best_value(),
                                              plan_.metric));
          std::cerr << "early stop at step " << step_ << ": no improvement of dev "
                    << plan_.metric << " in " << plan_.stopping.patience
                    << " evaluations; best at step " << stopping.best_step() << '\n';
          break;
        }
      } else if (plan_.checkpoint_every > 0 && step_ % plan_.checkpoint_every == 0) {
        recovering([this] { save(false); });
      }
    }
    progress.finish();
  }

  // The ledger: which examples of the train split step `step_` applied, one line per step,
  // so that a run's history (across resumes) can be checked for samples lost or repeated.
  void record_samples(const msg::batch_msg& batch) {
    const auto* rows = batch.examples.data<std::int32_t>();
    ledger_->append({{"step", step_},
                     {"epoch", batch.epoch},
                     {"samples", std::vector<std::int32_t>(rows, rows + batch.examples.numel())}});
  }

  msg::batch_msg next_batch() {
    msg::batch_msg got;
    bool done = false;
    self_->receive_while([&] { return !done; })(
      [&](msg::batch_msg& b) {
        got = std::move(b);
        done = true;
      },
      [&](caf::down_msg& down) {
        throw std::runtime_error("the loader stopped: " + error_text(down.reason));
      });
    return got;
  }

  // The (B,T) entity ids of a batch whose rows are the examples `rows` (B) of `split`,
  // linked by the graph's KG service: each piece of a linked word carries the word's
  // entity; [CLS], [SEP], other words and padding -1.
  tensor linked_entities(const supervisor_plan::examples& split, const tensor& rows,
                         std::int64_t T) {
    const auto B = rows.size(0);
    const auto* row = rows.data<std::int32_t>();
    std::vector<std::vector<std::string>> words(static_cast<std::size_t>(B));
    for (std::int64_t r = 0; r < B; ++r)
      words[r] = split.at(row[r]).words;
    const auto mentions = pipeline_->link(std::move(words));
    if (std::int64_t(mentions.size()) != B)
      throw std::runtime_error("the KG service linked " + std::to_string(mentions.size()) +
                               " rows of a batch of " + std::to_string(B));
    auto out = tensor::empty({B, T}, dtype::i32);
    auto* entities = out.data<std::int32_t>();
    std::fill(entities, entities + B * T, -1);
    for (std::int64_t r = 0; r < B; ++r) {
      const auto& example = split.at(row[r]);
      auto per_token =
        data::entities_of_tokens(example, kg::entity_per_word(mentions[r], example.words.size()));
      std::copy(per_token.begin(), per_token.begin() + std::min<std::int64_t>(T, per_token.size()),
                entities + r * T);
    }
    return out;
  }

  double metric_of(const train::classification_report& report) const {
    if (plan_.metric == "loss")
      return report.mean_loss();
    if (plan_.metric == "macro_f1")
      return report.macro_average().f1;
    return report.accuracy();
  }

  train::classification_report evaluate(const supervisor_plan::examples& split) {
    data::batcher batches{split, {plan_.eval_batch_size, 0, false, false, plan_.pad_id}};
    train::classification_report report{plan_.label_names};
    const int shards = plan_.layout.shards;
    for (std::size_t k = 0; k < batches.batches_per_epoch(); ++k) {
      auto b = batches.next();
      const auto rows = b.ids.size(0);
      auto micro_rows = static_cast<int>((rows + shards - 1) / shards);
      auto in = as_batch(b);
      if (plan_.layout.kg)
        in.entities = linked_entities(split, b.examples, b.ids.size(1));
      auto [logits, losses] = pipeline_->evaluate(in, micro_rows);
      const auto classes = logits.size(1);
      double loss_sum = 0;
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = logits.data<float>() + r * classes;
        auto predicted = std::int32_t(std::max_element(row, row + classes) - row);
        report.add(b.labels.data<std::int32_t>()[r], predicted);
        loss_sum += losses.data<float>()[r];
      }
      report.add_loss(loss_sum / double(rows), rows);
    }
    return report;
  }

  // The step for the console's history and Prometheus (every step, with its own rate).
  void record_step(double loss, double lr, std::int64_t step_tokens) {
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
        {step_, loss, lr, double(step_tokens) / std::max(seconds, 1e-9), unix_ms});
    publish_details();
  }

  void save(bool is_best) {
    const auto folder = "step-" + std::to_string(step_);
    if (folder == last_checkpoint_ && !is_best)
      return; // written already (an evaluation, then `checkpoint` or `stop`)
    last_checkpoint_ = folder;
    checkpoint::manifest info;
    info.step = step_;
    info.epoch = epoch_;
    auto state = pipeline_->gather_state();
    info.optimizer_step = state.steps;
    info.cursor = {cursor_.first, cursor_.second, {plan_.layout.seed}};
    info.rng_states = {{"seed", plan_.layout.seed}};
    info.config_hash = plan_.config_hash;
    if (stopping_state_.has_best)
      info.best_metric = stopping_state_.best_value;
    info.metrics_history = nlohmann::json{{"early_stopping", stopping_state_}}.dump();
    checkpoint::save_checkpoint(plan_.run_dir, info, state.params, state.first_moments,
                                state.second_moments, {plan_.keep_checkpoints, is_best});
  }

  // ---- the end: best model on test ------------------------------------------------------
  void finish() {
    std::optional<train::classification_report> report;
    while (!report) {
      try {
        report = best_on_test();
      } catch (const bert::graph_failure& failure) { // training is over: only the graph is needed
        count_attempt(failure);
        respawn_graph(failure.lost_nodes);
      }
    }
    if (plan_.test->empty()) {
      std::cout << "no test split: nothing to report on test" << std::endl;
      return;
    }
    if (!logged_test_event())
      log_->append(train::test_event("test", step_, *report));
    log_->close();
    ledger_->close();
    std::cout << report->to_text() << '\n';
    std::printf("test accuracy=%.4f macro_f1=%.4f\n", report->accuracy(),
                report->macro_average().f1);
    std::fflush(stdout);
  }

  // The best checkpoint's weights into the graph, then its report on test (empty without
  // a test split).
  train::classification_report best_on_test() {
    if (auto best = checkpoint::best_checkpoint(plan_.run_dir)) {
      auto folder = fs::path{plan_.run_dir} / "checkpoints" / ("step-" + std::to_string(*best));
      auto ckpt = checkpoint::load_checkpoint(folder, expected());
      param_arena weights{specs_};
      checkpoint::load_weights(ckpt.model, weights);
      pipeline_->load_params(weights);
      std::cerr << "best checkpoint: step " << *best << '\n';
    }
    if (plan_.test->empty())
      return train::classification_report{plan_.label_names};
    return evaluate(*plan_.test);
  }

  // True when metrics.jsonl already ends with the test event (a resumed, finished run).
  bool logged_test_event() const {
    std::ifstream in{metrics_path()};
    for (std::string line; std::getline(in, line);)
      if (line.find("\"event\":\"test\"") != std::string::npos)
        return true;
    return false;
  }

  caf::blocking_actor* self_;
  const supervisor_plan& plan_;
  std::optional<bert::pipeline> pipeline_; // spawned anew by recovery
  std::vector<param_spec> specs_;
  caf::actor loader_;
  std::optional<train::metrics_log> log_; // opened by start()
  std::optional<train::metrics_log> ledger_; // RUN_DIR/ledger.jsonl, opened by start()
  train::lr_schedule_config schedule_;
  train::early_stopping_state stopping_state_;
  bool drop_last_ = false;
  std::size_t batches_per_epoch_ = 0;
  std::int64_t total_steps_ = 0;
  std::int64_t step_ = 0, epoch_ = 0; // epoch_: epochs completed
  int current_epoch_ = 1; // the epoch (from 1) of the last step trained, for the console
  std::pair<std::uint64_t, std::uint64_t> cursor_{0, 0};
  // console control
  monitor::actor_probe* probe_ = nullptr; // null: monitoring off
  bool paused_ = false, stop_requested_ = false;
  std::string last_checkpoint_;
  int recoveries_in_a_row_ = 0; // without a completed step between them
  clock_type::time_point last_step_end_ = clock_type::now();
};

} // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<const supervisor_plan> plan) {
  return sys.spawn<caf::detached>([plan](caf::blocking_actor* self) {
    try {
      training_run{self, *plan}.run();
    } catch (const std::exception& e) {
      self->fail_state(make_error(errc::failed, e.what()));
    }
  });
}

} // namespace axon
