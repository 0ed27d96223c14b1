// pipeline: a spawned BERT training graph driven from ordinary (blocking) code, one
// request per step. Used by `axon bench train --mode actors`, by tests, and by the
// supervisor's helpers; steps inside run as messages between the graph's actors.
// A failure inside the graph (an actor exiting with an error) surfaces as a
// std::runtime_error carrying that actor's message.
#pragma once

#include "graphs/bert/bert_graph.hpp"
#include "graphs/bert/bert_layers.hpp"
#include "runtime/param_arena.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <memory>
#include <string>
#include <utility>

namespace axon::bert {

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

  /// Parameters and AdamW moments of every stage, as one model-wide state.
  training_state gather_state();
  /// Continues from a saved state (laid out as param_specs(layout.model)).
  void restore_state(const training_state& state);
  /// Counters of every actor, one JSON object per line ("name": {...}).
  std::string stats();
  const actor_graph& graph() const { return graph_; }
  const running_graph& actors() const { return running_; }

private:
  // Receives with `handler` until `done()` holds. An error reply or a graph actor going
  // down ends the wait with std::runtime_error("what: reason"), naming the actor and, on
  // a cluster, its node.
  template <class Done, class Handler>
  void await(const std::string& what, Done done, Handler handler);

  caf::actor_system& sys_;
  job_layout layout_;
  std::shared_ptr<const remote_nodes> remote_;
  actor_graph graph_;
  running_graph running_;
  caf::scoped_actor self_;
};

} // namespace axon::bert
