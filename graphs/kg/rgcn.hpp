// R-GCN-style refinement of entity embeddings (Schlichtkrull et al. 2018): `layers`
// message-passing layers (ops/cpu/rgcn.hpp) turn the entity table X into H, where each
// entity's vector adds the mean of its neighbours' through one transform per relation and
// direction, so after L layers it holds facts L hops away (a company's sector and what
// moves that sector). The decoder is TransE's loss on H and the relation table, so the
// layers learn from link prediction. The weights start at zero: refinement starts exactly
// at the TransE model it refines and can only move from there.
// Legend: E entities, R relations, D width, L layers, K = 2R edge kinds, M = 2 x triples.
#pragma once

#include "graphs/adamw_optimizer.hpp"
#include "graphs/kg/transe.hpp"
#include "graphs/kg/transe_trainer.hpp"

#include <cstdint>
#include <vector>

namespace axon::kg {

inline constexpr const char* rgcn_weights_name = "rgcn_weights"; // (L,K,D,D)

/// The message edges of a graph: h receives t's vector through kind r and t receives h's
/// through kind R + r, each scaled by 1 / (edges of that kind into the receiver).
struct rgcn_edges {
  tensor edges; // (M,3) i32 rows [src, kind, dst]
  tensor norm;  // (M)
  std::int64_t kinds = 0;
};
rgcn_edges make_rgcn_edges(const std::vector<triple>& triples, std::int64_t relations);

/// TransE's two tables (transe_specs), then the layers' weights (L,K,D,D).
std::vector<param_spec> rgcn_specs(std::int64_t entities, std::int64_t relations,
                                   std::int64_t dim, std::int64_t layers);

/// The refined model in TransE's layout (H and the relation table), for the link-prediction
/// metrics, the saved embeddings and the fusion of a classification job.
param_arena rgcn_refined(const param_arena& params, const rgcn_edges& graph);

/// Mean TransE cross-entropy of `batch` scored on H; accumulates d loss / d every tensor of
/// `params` (rgcn_specs layout) into `grads`.
float rgcn_loss_and_grads(const param_arena& grads, const param_arena& params,
                          const rgcn_edges& graph, const transe_batch& batch);

/// Refines a trained TransE model (transe_specs layout): Adam at settings.lr on X, the
/// relation table and the layers, over transe_sampler's batches of the training triples.
class rgcn_trainer {
public:
  rgcn_trainer(const param_arena& transe, const std::vector<triple>& graph_triples,
               std::int64_t layers, const transe_settings& settings);

  /// One pass over `train`; returns the mean loss of its steps.
  double train_epoch(const std::vector<triple>& train);
  param_arena refined() const { return rgcn_refined(params_, graph_); }
  const param_arena& params() const { return params_; }

private:
  rgcn_edges graph_;
  param_arena params_, grads_;
  adamw_optimizer optimizer_;
  transe_sampler sampler_;
};

} // namespace axon::kg
