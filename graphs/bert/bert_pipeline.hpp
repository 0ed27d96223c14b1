// pipeline: a spawned BERT training graph driven from ordinary (blocking) code, one
// request per step. Used by `axon bench train --mode actors`, by tests, and by the
// supervisors; steps inside run as messages between the graph's actors. Requests take the
// job's one batch type, data::batch. Failures are values: an actor of the graph going down
// ends the request with an error naming the operation, the actor, its node and the reason,
// and marks the pipeline broken() (lost_actors() and lost_nodes() say what is lost: with a
// lost node process, every actor it ran), which a supervisor recovers from by spawning a
// new pipeline; an error reply ends the request with that error (errc::failed).
#pragma once

#include "graphs/bert/bert_graph.hpp"
#include "graphs/bert/bert_layers.hpp"
#include "runtime/data/batcher.hpp"
#include "runtime/kg/entity_linker.hpp"
#include "runtime/param_arena.hpp"

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <memory>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace axon::bert {

/// The job's batch holding `tensors` and no cursor: for callers that build a batch's
/// tensors as the layers read them (the single-loop reference in tests, benchmarks). Its
/// rows are examples position, position + 1, ... of epoch `epoch`'s order, which key their
/// dropout draws (dropout_key): a caller stepping through batches of B rows as a loader
/// would passes position = step * B.
data::batch job_batch(const batch& tensors, std::uint64_t epoch = 0, std::uint64_t position = 0);

/// The optimizer state of the whole model, in param_specs(model) order.
struct training_state {
  param_arena params, first_moments, second_moments;
  std::int64_t steps = 0;
};

class pipeline {
public:
  /// Spawns and wires the graph, on the node processes of `remote` where it places actors;
  /// an error naming what failed.
  static caf::expected<std::unique_ptr<pipeline>>
  spawn(caf::actor_system& sys, const job_layout& layout,
        std::shared_ptr<const remote_nodes> remote = nullptr);
  /// As spawn, throwing std::runtime_error with the error's text (tests, benchmarks).
  pipeline(caf::actor_system& sys, const job_layout& layout,
           std::shared_ptr<const remote_nodes> remote = nullptr);
  ~pipeline();
  pipeline(const pipeline&) = delete;
  pipeline& operator=(const pipeline&) = delete;

  /// BERT initialisation from layout.seed (the same weights as init_params on the whole
  /// model with that seed), published to every replica.
  caf::error init_params();
  /// Starts from `params` (laid out as param_specs(layout.model)).
  caf::error load_params(const param_arena& params);

  /// One training step on a global batch: returns (mean loss, gradient norm). A batch of
  /// documents (in.offsets) is split over shards and micro-batches by documents.
  caf::expected<std::pair<double, double>> train_step(const data::batch& in, std::uint64_t step,
                                                      float lr);
  /// Forward only: (logits (B,K), per-row losses (B) or undefined without labels); a batch
  /// of documents (in.offsets) gets one row per document, its micro-batches whole
  /// documents of at most micro_rows windows (at least one document).
  caf::expected<std::pair<tensor, tensor>> evaluate(const data::batch& in, int micro_rows);

  /// From the graph's KG service (layout.kg): the entity mentions in each row's words.
  caf::expected<std::vector<std::vector<kg::mention>>>
  link(std::vector<std::vector<std::string>> rows);
  /// From the graph's KG service: the (E,D) entity table to start the model from.
  caf::expected<tensor> entity_table();

  /// Stops the coordinator and waits until it is gone, so that no step can go on applying
  /// updates while a failed graph's state is read (recovery); other actors going down
  /// meanwhile are noted as lost.
  void stop_coordinator();
  /// Parameters and AdamW moments of every stage, as one model-wide state. An error when an
  /// optimizer actor is lost or the actors hold different steps (a step applied by some of
  /// them only).
  caf::expected<training_state> gather_state();
  /// Continues from a saved state (laid out as param_specs(layout.model)).
  caf::error restore_state(const training_state& state);
  /// A scale event, between steps: `shards` data-parallel replicas
  /// from the next step on. Replicas that join are spawned (placed like any other by
  /// `remote`'s rules) and wired, and take the current parameters from the optimizer
  /// actors; replicas that leave (the highest shard numbers) are stopped; the coordinator
  /// splits the global batch and the optimizers sum the gradients over the new shards. When
  /// a joining actor cannot be spawned, the error names it and nothing has changed; when an
  /// actor is lost meanwhile, broken() holds (recover as from a failed step).
  caf::error scale_shards(int shards);
  const job_layout& layout() const { return layout_; }
  /// Counters of every actor, one JSON object per line ("name": {...}).
  std::string stats();
  const actor_graph& graph() const { return graph_; }
  /// True once an actor of the graph is known lost: the graph must be spawned anew.
  bool broken() const { return !lost_.empty(); }
  /// The actors (graph nodes) and node processes of the graph found lost so far, sorted.
  std::vector<std::string> lost_actors() const { return {lost_.begin(), lost_.end()}; }
  std::vector<std::string> lost_nodes() const { return {lost_nodes_.begin(), lost_nodes_.end()}; }
  const running_graph& actors() const { return running_; }

private:
  pipeline(caf::actor_system& sys, const job_layout& layout,
           std::shared_ptr<const remote_nodes> remote, std::nothrow_t);
  caf::error start(); // spawns the graph and monitors its actors

  // Receives with `handler` until `done()` holds. An error reply ends the wait with the
  // error "what: reason", a graph actor going down with one naming the actor and, on a
  // cluster, its node (actors already known lost are not news; broken() holds after it).
  template <class Done, class Handler>
  caf::error await(const std::string& what, Done done, Handler handler);

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
