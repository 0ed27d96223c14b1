// transe_graph: TransE trained by an actor graph. Entity-shard actors (one per
// `shards`) own the entity embeddings and their Adam moments; this trainer, driven from
// ordinary code one step at a time, samples each batch (transe_sampler, so the batches
// are the loop trainer's), asks the owning shards for the rows it needs (kg_rows_request),
// computes the loss and gradients on those rows with the same ops, updates the relation
// table itself, and sends each shard its gradient rows (kg_grads_msg); every shard then
// takes its Adam step. The result equals transe_trainer's, step for step.
#pragma once

#include "graphs/adamw_optimizer.hpp"
#include "graphs/kg/transe_trainer.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <vector>

namespace axon::kg {

class transe_graph {
public:
  /// Spawns `shards` entity-shard actors; throws std::invalid_argument when shards < 1.
  transe_graph(caf::actor_system& sys, std::int64_t entities, std::int64_t relations,
               const transe_settings& settings, int shards);
  ~transe_graph();
  transe_graph(const transe_graph&) = delete;
  transe_graph& operator=(const transe_graph&) = delete;

  /// One pass over `train`; returns the mean loss of its steps.
  double train_epoch(const std::vector<triple>& train);
  /// Both tables (transe_specs layout), the entity rows gathered from the shards.
  param_arena gather();
  std::int64_t steps() const { return steps_; }

private:
  double step(const transe_batch& batch);
  /// Rows of `ids` (any order, no repeats) from their shards, as (n,D) in that order.
  tensor fetch_rows(const std::vector<std::int32_t>& ids);

  caf::actor_system& sys_;
  caf::scoped_actor self_;
  std::vector<caf::actor> shards_;
  std::int64_t entities_, dim_;
  param_arena relations_, relation_grads_; // the relation table and its gradient
  adamw_optimizer relation_adam_;
  transe_sampler sampler_;
  std::int64_t steps_ = 0;
};

} // namespace axon::kg
