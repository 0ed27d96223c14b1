// pipeline: a spawned BERT training graph driven from ordinary (blocking) code, one
// request per step. Used by `axon bench train --mode actors`, by tests, and by the
// supervisor's helpers; steps inside run as messages between the graph's actors.
// An actor of the graph going down surfaces as a graph_failure naming what is lost (with
// a lost node process, every actor it ran); an error reply as a std::runtime_error.
#pragma once

#include "graphs/bert/bert_graph.hpp"
#include "graphs/bert/bert_layers.hpp"
#include "runtime/kg/entity_linker.hpp"
#include "runtime/param_arena.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace axon::bert {

/// An actor of the graph went down (it failed, was killed, or its node process was lost).
/// what(): the operation, the actor, its node and the reason.
struct graph_failure : std::runtime_error {
  graph_failure(const std::string& what, std::vector<std::string> actors,
                std::vector<std::string> nodes)
    : std::runtime_error(what), lost_actors(std::move(actors)), lost_nodes(std::move(nodes)) {
  }
  std::vector<std::string> lost_actors; // graph node names noticed now, sorted
  std::vector<std::string> lost_nodes;  // every node process of the graph lost so far
};

/// The optimizer state of the whole model, in param_specs(model) order.
struct training_state {
  param_arena params, first_moments, second_moments;
  std::int64_t steps = 0;
};

class pipeline {
public:
  /// Spawns and wires the graph, on the node processes of `remote` where it places actors;
  /// throws std::runtime_error naming what failed.
  pipeline(caf::actor_system& sys, const job_layout& layout,
           std::shared_ptr<const remote_nodes> remote = nullptr);
  ~pipeline();
  pipeline(const pipeline&) = delete;
  pipeline& operator=(const pipeline&) = delete;

  /// BERT initialisation from layout.seed (the same weights as init_params on the whole
  /// model with that seed), published to every replica.
  void init_params();
  /// Starts from `params` (laid out as param_specs(layout.model)).
  void load_params(const param_arena& params);

  /// One training step on a global batch: returns (mean loss, gradient norm).
  std::pair<double, double> train_step(const batch& in, std::uint64_t step, float lr);
  /// Forward only: (logits (B,K), per-row losses (B) or undefined without labels).
  std::pair<tensor, tensor> evaluate(const batch& in, int micro_rows);

  /// From the graph's KG service (layout.kg): the entity mentions in each row's words.
  std::vector<std::vector<kg::mention>> link(std::vector<std::vector<std::string>> rows);
  /// From the graph's KG service: the (E,D) entity table to start the model from.
  tensor entity_table();

  /// Stops the coordinator and waits until it is gone, so that no step can go on applying
  /// updates while a failed graph's state is read (recovery); other actors going down
  /// meanwhile are noted as lost.
  void stop_coordinator();
  /// Parameters and AdamW moments of every stage, as one model-wide state. Throws
  /// std::runtime_error when an optimizer actor is lost or the actors hold different steps
  /// (a step applied by some of them only).
  training_state gather_state();
  /// Continues from a saved state (laid out as param_specs(layout.model)).
  void restore_state(const training_state& state);
  /// Counters of every actor, one JSON object per line ("name": {...}).
  std::string stats();
  const actor_graph& graph() const { return graph_; }
  /// The actors (graph nodes) and node processes of the graph found lost so far, sorted.
  std::vector<std::string> lost_actors() const { return {lost_.begin(), lost_.end()}; }
  std::vector<std::string> lost_nodes() const { return {lost_nodes_.begin(), lost_nodes_.end()}; }
  const running_graph& actors() const { return running_; }

private:
  // Receives with `handler` until `done()` holds. An error reply ends the wait with
  // std::runtime_error("what: reason"), a graph actor going down with graph_failure naming
  // the actor and, on a cluster, its node (actors already known lost are not news).
  template <class Done, class Handler>
  void await(const std::string& what, Done done, Handler handler);

  caf::actor_system& sys_;
  job_layout layout_;
  std::shared_ptr<const remote_nodes> remote_;
  actor_graph graph_;
  running_graph running_;
  // Notes an actor of the graph going down (with a lost node process: all it ran); returns
  // the graph nodes newly known to be lost, empty when none is.
  std::vector<std::string> note_down(const caf::down_msg& down);

  std::set<std::string> lost_;       // graph nodes known to be down
  std::set<std::string> lost_nodes_; // node processes known to be lost
  caf::scoped_actor self_;
};

} // namespace axon::bert
