// transe_trainer: TransE tables, their Adam state, and epochs over the training triples
// (shuffled from the seed; each batch with fresh shared negatives, uniform over entities).
// The single-loop reference that the entity-shard actor graph is checked against.
#pragma once

#include "graphs/adamw_optimizer.hpp"
#include "graphs/kg/transe.hpp"

#include <random>
#include <vector>

namespace axon::kg {

struct transe_settings {
  std::int64_t dim = 200;
  std::int64_t batch_size = 1024; // triples per step (B)
  std::int64_t negatives = 1024;  // shared negatives per direction and step (K)
  float lr = 1e-2f;               // Adam, no weight decay
  std::uint64_t seed = 0;
};

/// The bytes a TransE run holds at once, about: the entity and relation tables with their
/// gradients and Adam moments, and one batch's B x K distance scores (both directions,
/// with their softmax and gradients) and its K negatives' rows.
double transe_memory_bytes(std::int64_t entities, std::int64_t relations,
                           const transe_settings& settings);

/// Adam without weight decay at settings.lr (the optimizer of every TransE table).
optimizer_settings transe_adam(const transe_settings& settings);

/// The batches of one epoch: a seeded order of the triples, cut into batch_size rows,
/// each with fresh shared negatives (uniform over entities). Shared by the loop trainer
/// and the entity-shard actor graph, so both see the same batches.
class transe_sampler {
public:
  transe_sampler(std::int64_t entities, const transe_settings& settings)
    : entities_(entities), settings_(settings), rng_(settings.seed) {}
  std::vector<transe_batch> epoch(const std::vector<triple>& train);

private:
  std::int64_t entities_;
  transe_settings settings_;
  std::mt19937_64 rng_;
};

class transe_trainer {
public:
  transe_trainer(std::int64_t entities, std::int64_t relations, const transe_settings& settings);

  /// One pass over `train` (transe_sampler's batches); returns the mean loss of its steps.
  double train_epoch(const std::vector<triple>& train);
  const param_arena& params() const { return params_; }
  std::int64_t steps() const { return optimizer_.steps_taken(); }

private:
  param_arena params_, grads_;
  adamw_optimizer optimizer_;
  transe_sampler sampler_;
};

} // namespace axon::kg
