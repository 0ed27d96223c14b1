// PageRank as an Axon actor graph: the vertices are dealt to `partitions` partition
// actors (vertex v to partition v % P); every iteration each partition sends every other
// one the rank its vertices pass along their out-edges (plus its dangling vertices' rank,
// which is spread over all vertices), over typed edges with a credit window of one
// iteration. A driver starts iterations and sums the partitions' L1 changes until they
// fall below a tolerance. Shows that the runtime is not BERT-only: same graph API, same
// message registration, same registry of kinds; placed on node processes by a cluster
// config like any graph (main.cpp).
#pragma once

#include "actors/cluster/graph_process.hpp"
#include "runtime/graph/actor_graph.hpp"
#include "runtime/graph/registry.hpp"


#include <cstdint>
#include <vector>

namespace axon::pagerank {

struct edge_list {
  std::int32_t vertices = 0;
  std::vector<std::int32_t> from, to; // directed edges
};

struct result {
  std::vector<double> rank; // sums to 1
  int iterations = 0;
  double last_change = 0;   // L1 change of the last iteration
};

/// The declared graph: "driver", "partition<p>", edges "to<q>" -> "from<p>".
actor_graph make_graph(const edge_list& edges, int partitions, double damping);
/// The graph's message types and actor kinds ("axon.pagerank.driver", ".partition").
registry modules();

/// Spawns the graph in `process` (here, or on its cluster's nodes), iterates to
/// `tolerance` (L1) or `max_iterations`, gathers the ranks. Throws std::runtime_error.
result run(graph_process& process, const edge_list& edges, int partitions, double damping,
           double tolerance, int max_iterations);

/// The same computation as one sequential power iteration: the reference.
result run_sequential(const edge_list& edges, double damping, double tolerance,
                      int max_iterations);

} // namespace axon::pagerank
