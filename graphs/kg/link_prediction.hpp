// Filtered link-prediction metrics (Bordes et al. 2013): for each test triple (h,r,t),
// rank t among all entities as the tail of (h,r,?) and h as the head of (?,r,t), after
// removing every other entity that forms a known true triple (train, valid and test).
// Ties count half (rank = 1 + better + ties/2), as the PyTorch peer.
#pragma once

#include "runtime/kg/knowledge_graph.hpp"
#include "runtime/param_arena.hpp"

#include <string>
#include <vector>

namespace axon::kg {

struct link_metrics {
  double mrr = 0, mean_rank = 0, hits1 = 0, hits3 = 0, hits10 = 0;
  std::size_t ranks = 0; // 2 per triple (both directions)
  /// "MRR 0.3012 MR 180.2 H@1 0.2100 H@3 0.3300 H@10 0.4800 (n=40932)".
  std::string to_text() const;
};

/// Metrics of a TransE model (transe_specs layout) on `triples`, filtered by `known`.
link_metrics evaluate_transe(const param_arena& params, const std::vector<triple>& triples,
                             const std::vector<triple>& known);

} // namespace axon::kg
