// The PageRank graph's messages and node parameters, with their CAF inspect overloads, and
// its own CAF type-id block, which starts in the range Axon leaves to user graphs
// (axon::type_ids::first_user) and is added to a registry by pagerank::modules().
#pragma once

#include "runtime/graph/type_ids.hpp"
#include "runtime/graph/wire_float.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <vector>

namespace axon::pagerank {

/// Driver -> partition: compute iteration `iteration`.
struct pagerank_iterate_msg {
  std::int32_t iteration = 0;
};

/// Partition -> partition: rank passed along out-edges to the receiver's vertices.
struct pagerank_share_msg {
  std::int32_t iteration = 0;
  std::int32_t sender = 0; // the sending partition (its credit goes back to it)
  double dangling = 0; // rank of the sender's vertices without out-edges (spread over all)
  std::vector<std::int32_t> vertex;
  std::vector<double> share;
};

/// Partition -> driver: the L1 change of its ranks in an iteration.
struct pagerank_change_msg {
  std::int32_t iteration = 0;
  double change = 0;
};

/// Partition -> whoever asks (state_atom): its vertices and their ranks.
struct pagerank_ranks_msg {
  std::vector<std::int32_t> vertex;
  std::vector<double> rank;
};

/// The parameters of one partition: the edges whose source it owns.
struct pagerank_partition_setup {
  std::int32_t index = 0, partitions = 1, vertices = 0;
  double damping = 0.85;
  std::vector<std::int32_t> from, to;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_iterate_msg& x) {
  return f(caf::meta::type_name("pagerank_iterate_msg"), x.iteration);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_share_msg& x) {
  return f(caf::meta::type_name("pagerank_share_msg"), x.iteration, x.sender,
           wire_float(x.dangling), x.vertex, wire_floats(x.share));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_change_msg& x) {
  return f(caf::meta::type_name("pagerank_change_msg"), x.iteration, wire_float(x.change));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_ranks_msg& x) {
  return f(caf::meta::type_name("pagerank_ranks_msg"), x.vertex, wire_floats(x.rank));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_partition_setup& x) {
  return f(caf::meta::type_name("pagerank_partition_setup"), x.index, x.partitions, x.vertices,
           wire_float(x.damping), x.from, x.to);
}

} // namespace axon::pagerank

CAF_BEGIN_TYPE_ID_BLOCK(pagerank, axon::type_ids::first_user)
  CAF_ADD_TYPE_ID(pagerank, (axon::pagerank::pagerank_iterate_msg))
  CAF_ADD_TYPE_ID(pagerank, (axon::pagerank::pagerank_share_msg))
  CAF_ADD_TYPE_ID(pagerank, (axon::pagerank::pagerank_change_msg))
  CAF_ADD_TYPE_ID(pagerank, (axon::pagerank::pagerank_partition_setup))
  CAF_ADD_TYPE_ID(pagerank, (axon::pagerank::pagerank_ranks_msg))
CAF_END_TYPE_ID_BLOCK(pagerank)
