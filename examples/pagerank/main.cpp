// axon-pagerank: PageRank over a knowledge graph's triples (head<TAB>relation<TAB>tail),
// computed by partition actors exchanging rank messages (pagerank_graph.hpp), checked
// against a sequential power iteration. With --cluster FILE the partitions run where the
// file's [placement] puts them, on node processes that are this same program:
//   build/bin/axon data synth-finsent runs/finsent-data
//   build/bin/axon-pagerank runs/finsent-data/kg/triples.tsv --partitions 4
//   build/bin/axon-pagerank node --config cluster.ini --name worker1 &   (one per node)
//   build/bin/axon-pagerank runs/finsent-data/kg/triples.tsv --cluster cluster.ini
#include "actors/cluster/node_process.hpp"
#include "pagerank_graph.hpp"
#include "runtime/graph/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc >= 2 && std::string{argv[1]} == "node") // this program as a node process
    return axon::node_main(argc - 1, argv + 1, axon::pagerank::modules());
  if (argc < 2 || std::string{argv[1]} == "--help") {
    std::cerr << "usage: axon-pagerank TRIPLES.tsv [--partitions P] [--damping D] [--cluster FILE]\n"
                 "       axon-pagerank node --config FILE --name NAME\n";
    return argc < 2 ? 2 : 0;
  }
  int partitions = 4;
  double damping = 0.85;
  std::string cluster_file;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--partitions")
      partitions = std::atoi(argv[i + 1]);
    else if (flag == "--damping")
      damping = std::atof(argv[i + 1]);
    else if (flag == "--cluster")
      cluster_file = argv[i + 1];
    else {
      std::cerr << "axon-pagerank: unknown flag " << flag << '\n';
      return 2;
    }
  }
  std::ifstream in{argv[1]};
  if (!in) {
    std::cerr << "axon-pagerank: cannot read " << argv[1] << '\n';
    return 2;
  }
  std::map<std::string, std::int32_t> ids;
  std::vector<std::string> names;
  auto id_of = [&](const std::string& name) {
    auto [it, added] = ids.emplace(name, static_cast<std::int32_t>(names.size()));
    if (added)
      names.push_back(name);
    return it->second;
  };
  axon::pagerank::edge_list edges;
  std::size_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    std::istringstream fields{line};
    std::string head, relation, tail;
    if (!std::getline(fields, head, '\t') || !std::getline(fields, relation, '\t')
        || !std::getline(fields, tail) || head.empty() || tail.empty()) {
      std::cerr << argv[1] << ":" << line_number << ": expected head<TAB>relation<TAB>tail\n";
      return 2;
    }
    edges.from.push_back(id_of(head));
    edges.to.push_back(id_of(tail));
  }
  edges.vertices = static_cast<std::int32_t>(names.size());
  partitions = std::clamp(partitions, 1, std::max(1, edges.vertices));
  auto process = axon::graph_process::start(axon::pagerank::modules(), cluster_file, 2);
  if (!process) {
    std::cerr << "axon-pagerank: " << axon::error_text(process.error()) << '\n';
    return 2;
  }
  axon::pagerank::result actors;
  try {
    actors = axon::pagerank::run(**process, edges, partitions, damping, 1e-10, 200);
  } catch (const std::runtime_error& e) {
    std::cerr << "axon-pagerank: " << e.what() << '\n';
    return 1;
  }
  auto sequential = axon::pagerank::run_sequential(edges, damping, 1e-10, 200);
  double max_diff = 0;
  for (std::int32_t v = 0; v < edges.vertices; ++v)
    max_diff = std::max(max_diff, std::fabs(actors.rank[v] - sequential.rank[v]));
  std::vector<std::int32_t> order(edges.vertices);
  for (std::int32_t v = 0; v < edges.vertices; ++v)
    order[v] = v;
  std::sort(order.begin(), order.end(),
            [&](auto a, auto b) { return actors.rank[a] > actors.rank[b]; });
  std::printf("%d vertices, %zu edges, %d partitions: %d iterations (last L1 change %.2e)\n",
              edges.vertices, edges.from.size(), partitions, actors.iterations,
              actors.last_change);
  for (int k = 0; k < std::min<int>(10, edges.vertices); ++k)
    std::printf("%2d. %-32s %.6f\n", k + 1, names[order[k]].c_str(), actors.rank[order[k]]);
  std::printf("largest difference from a sequential power iteration: %.2e\n", max_diff);
  return max_diff < 1e-9 ? 0 : 1;
}
