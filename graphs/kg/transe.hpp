// TransE (Bordes et al. 2013) with an L2 distance, trained by softmax cross-entropy over
// shared negatives: for each training triple (h,r,t) the tail query q = h + r must be
// nearer to t than to K sampled entities, and the head query q' = t - r nearer to h than
// to K others (both directions in every batch, as the PyTorch peer). Score = -||q - x||.
// Legend: E entities, R relations, D width, B triples in a batch, K shared negatives.
#pragma once

#include "runtime/kg/knowledge_graph.hpp"
#include "runtime/param_arena.hpp"

#include <cstdint>
#include <vector>

namespace axon::kg {

inline constexpr const char* entity_embeddings_name = "entity_embeddings";     // (E,D)
inline constexpr const char* relation_embeddings_name = "relation_embeddings"; // (R,D)

/// The two tables of a TransE model (or their gradients: same layout).
std::vector<param_spec> transe_specs(std::int64_t entities, std::int64_t relations,
                                     std::int64_t dim);

/// Uniform in +-(gamma + 2) / D, gamma = 9 (the RotatE code's initialisation), from seed.
void init_transe(const param_arena& params, std::uint64_t seed);
/// Element `index` (row * D + column) of table `table` (0 entities, 1 relations) as
/// init_transe draws it: a shard of the table initialises like the whole.
float transe_init_value(std::uint64_t seed, std::uint32_t table, std::int64_t index,
                        std::int64_t dim);

/// One batch: positives and the shared negatives of each direction.
struct transe_batch {
  std::vector<triple> positives;                         // B
  std::vector<std::int32_t> tail_negatives, head_negatives; // K each
};

/// Mean cross-entropy over the 2B queries; accumulates d loss / d tables into `grads`.
float transe_loss_and_grads(const param_arena& grads, const param_arena& params,
                            const transe_batch& batch);

/// Distances of every entity as the tail of (h, r, ?) (`tail_side`) or the head of
/// (?, r, t), for B queries: dist (B,E). `anchors` holds h (or t) per query.
void transe_distances(const tensor& dist, const param_arena& params,
                      const std::vector<std::int32_t>& anchors,
                      const std::vector<std::int32_t>& relations, bool tail_side);

} // namespace axon::kg
