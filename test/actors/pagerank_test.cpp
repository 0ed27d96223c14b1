// The PageRank example graph: partition actors exchanging rank messages reach the ranks of
// a sequential power iteration, for several partition counts, dangling vertices included.
#include "actor_test_support.hpp"

#include "pagerank_graph.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numeric>

using namespace axon;

BOOST_AUTO_TEST_CASE(pagerank_actors_match_the_sequential_iteration) {
  pagerank::edge_list edges;
  edges.vertices = 57;
  auto from = tensor::empty({300}, dtype::i32), to = tensor::empty({300}, dtype::i32);
  fill_uniform_int(from, 0, 50, 4, 0); // vertices 50..56 have no out-edges (dangling)
  fill_uniform_int(to, 0, 57, 4, 1);
  edges.from.assign(from.data<std::int32_t>(), from.data<std::int32_t>() + 300);
  edges.to.assign(to.data<std::int32_t>(), to.data<std::int32_t>() + 300);
  auto reference = pagerank::run_sequential(edges, 0.85, 1e-12, 500);
  BOOST_TEST(std::accumulate(reference.rank.begin(), reference.rank.end(), 0.0) == 1.0,
             boost::test_tools::tolerance(1e-9));
  auto process = graph_process::start(pagerank::modules(), "", 2);
  BOOST_REQUIRE(process);
  for (int partitions : {1, 3, 8}) {
    auto actors = pagerank::run(**process, edges, partitions, 0.85, 1e-12, 500);
    BOOST_TEST(actors.iterations == reference.iterations);
    for (int v = 0; v < edges.vertices; ++v)
      BOOST_TEST(std::fabs(actors.rank[v] - reference.rank[v]) <= 1e-12);
  }
}
