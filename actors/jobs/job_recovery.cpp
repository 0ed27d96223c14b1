// job_run's recovery: when an actor of the graph goes down (it failed, was killed, or its
// node process died or froze past cluster.timeout), the interrupted work is dropped, the
// graph is spawned anew (a lost node's actors on the same node if it is back within
// cluster.rejoin-timeout, else on the surviving process hosting the fewest), its state
// restored from the surviving optimizer actors (the last applied step) or else from the
// newest valid checkpoint, and the loader rewound to the matching cursor; metrics.jsonl
// gets a "recovery" event. After train.recovery-attempts recoveries without a step
// completed between them, the job ends with the last failure. See job_run.hpp.
#include "actors/jobs/job_run.hpp"

#include "runtime/graph/error.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace axon {

using clock_type = std::chrono::steady_clock;

// `interrupted`: the batch of the step that failed, if a step did. True when every
// optimizer actor had applied that step before the failure: it counts as done (its loss
// is unknown) and the loader continues after its batch.
caf::expected<bool> job_run::recover(const caf::error& failure, const data::batch* interrupted) {
  kind_.interrupted();
  const auto started = clock_type::now();
  if (auto err = count_attempt(failure))
    return err;
  note_state(monitor::activity::idle);
  // The state of the last applied step lives on in the optimizer actors when they all
  // survived and hold the same step: none applied the interrupted one, or all did (the
  // failure came after the coordinator had sent the updates).
  std::optional<bert::training_state> survived;
  bool applied = false;
  pipeline_->stop_coordinator(); // no step goes on applying updates meanwhile
  if (auto state = pipeline_->gather_state()) {
    applied = interrupted != nullptr && state->steps == step_ + 1;
    if (state->steps == step_ || applied)
      survived = std::move(*state);
  } else {
    std::cerr << "recovery: " << error_text(state.error()) << '\n';
  }
  // A node lost while the graph is spawned again or its state restored: once more, from
  // the same state, as a further attempt.
  nlohmann::json placed = nlohmann::json::object();
  std::string restored_from;
  auto lost_actors = pipeline_->lost_actors(); // with those found while reading the state
  for (auto lost_nodes = pipeline_->lost_nodes();;) {
    auto respawned = respawn_graph(lost_nodes);
    if (!respawned)
      return respawned.error();
    placed.update(*respawned);
    auto from = restore(survived);
    if (from) {
      restored_from = std::move(*from);
      break;
    }
    if (!pipeline_->broken())
      return from.error();
    if (auto err = count_attempt(from.error()))
      return err;
    lost_nodes = pipeline_->lost_nodes();
  }
  if (applied) { // the caller records the step as done; the loader goes on after its batch
    cursor_ = interrupted->next;
    recoveries_in_a_row_ = 0;
  }
  if (auto err = rewind_loader())
    return err;
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

caf::error job_run::count_attempt(const caf::error& failure) {
  const auto text = error_text(failure);
  if (++recoveries_in_a_row_ > plan_.recovery_attempts)
    return make_error(
      errc::failed,
      text
        + (plan_.recovery_attempts == 0
             ? std::string{}
             : " (gave up after " + std::to_string(plan_.recovery_attempts)
                 + " recoveries in a row without a completed step: train.recovery-attempts)"));
  std::cerr << "recovery: " << text << '\n';
  return caf::none;
}

// The state into the new graph: the optimizers' if they had it, else the newest valid
// checkpoint's, else the initial weights. Returns which.
caf::expected<std::string> job_run::restore(const std::optional<bert::training_state>& survived) {
  if (survived) {
    if (auto err = pipeline_->restore_state(*survived))
      return err;
    return std::string{"optimizers"};
  }
  auto found = restore_checkpoint();
  if (!found)
    return found.error();
  if (*found) {
    reopen_logs();
    return "checkpoint " + last_checkpoint_;
  }
  step_ = 0; // nothing saved yet: from the start
  cursor_ = {};
  kind_.restart();
  if (auto err = initial_weights())
    return err;
  reopen_logs();
  return std::string{"start"};
}

caf::expected<nlohmann::json>
job_run::respawn_graph(const std::vector<std::string>& lost_nodes) {
  std::vector<std::string> graph_nodes;
  for (const auto& node : pipeline_->graph().nodes())
    graph_nodes.push_back(node.name);
  const auto layout = pipeline_->layout(); // the shards of the last scale event
  pipeline_.reset();
  nlohmann::json placed = nlohmann::json::object();
  for (const auto& node : lost_nodes) {
    if (plan_.cluster->rejoin(node, plan_.rejoin_timeout)) {
      placed[node] = node;
      std::cerr << "recovery: node " << node << " is back\n";
    } else {
      placed[node] = plan_.cluster->relocate(node, graph_nodes);
      std::cerr << "recovery: node " << node << " did not come back within "
                << "cluster.rejoin-timeout; its actors now run on "
                << placed[node].get<std::string>() << '\n';
    }
  }
  auto spawned = bert::pipeline::spawn(self_->system(), layout, plan_.cluster);
  if (!spawned)
    return spawned.error();
  pipeline_ = std::move(*spawned);
  return placed;
}

} // namespace axon
