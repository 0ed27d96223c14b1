// PageRank partition and driver actors, the graph that connects them, and the sequential
// reference.
#include "pagerank_graph.hpp"

#include "pagerank_messages.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/graph/factory_of.hpp"
#include "runtime/graph/ports.hpp"

#include <caf/all.hpp>

#include <cmath>
#include <stdexcept>

namespace axon::pagerank {

namespace {


std::string partition_node(int p) {
  return "partition" + std::to_string(p);
}

// ---- partition ---------------------------------------------------------------------
struct partition_state {
  static inline const char* name = "axon.pagerank.partition";
  pagerank_partition_setup setup;
  ports edges;
  std::vector<double> rank, incoming;  // by local index v / P
  std::vector<std::int32_t> out_degree; // by local index
  double dangling_total = 0;
  int shares_received = 0;
};

caf::behavior partition_behavior(caf::stateful_actor<partition_state>* self,
                                 pagerank_partition_setup setup) {
  auto& st = self->state;
  st.setup = setup;
  const int p_count = setup.partitions;
  const std::int32_t owned = (setup.vertices - setup.index + p_count - 1) / p_count;
  st.rank.assign(owned, 1.0 / setup.vertices);
  st.incoming.assign(owned, 0.0);
  st.out_degree.assign(owned, 0);
  for (auto u : setup.from)
    ++st.out_degree[u / p_count];
  st.edges.declare_in<pagerank_iterate_msg, pagerank_change_msg>("driver");
  for (int q = 0; q < p_count; ++q) {
    st.edges.declare_out<pagerank_share_msg>("to" + std::to_string(q));
    st.edges.declare_in<pagerank_share_msg>("from" + std::to_string(q));
  }
  return {
    connect_handler(self),
    credit_handler(self),
    [=](const pagerank_iterate_msg& it) {
      auto& st = self->state;
      const int P = st.setup.partitions;
      std::vector<pagerank_share_msg> out(P);
      for (auto& m : out) {
        m.iteration = it.iteration;
        m.sender = st.setup.index;
      }
      for (std::size_t e = 0; e < st.setup.from.size(); ++e) {
        auto u = st.setup.from[e], w = st.setup.to[e];
        auto& m = out[w % P];
        m.vertex.push_back(w);
        m.share.push_back(st.rank[u / P] / st.out_degree[u / P]);
      }
      double dangling = 0;
      for (std::size_t k = 0; k < st.rank.size(); ++k)
        if (st.out_degree[k] == 0)
          dangling += st.rank[k];
      for (int q = 0; q < P; ++q) {
        out[q].dangling = dangling;
        st.edges.send(self, "to" + std::to_string(q), std::move(out[q]));
      }
      st.edges.grant(self, "driver");
    },
    [=](const pagerank_share_msg& m) {
      auto& st = self->state;
      const int P = st.setup.partitions;
      for (std::size_t k = 0; k < m.vertex.size(); ++k)
        st.incoming[m.vertex[k] / P] += m.share[k];
      st.dangling_total += m.dangling;
      st.edges.grant(self, "from" + std::to_string(m.sender)); // done with it: one more may come
      if (++st.shares_received < P)
        return;
      // r'(v) = (1 - d) / N + d * (sum of shares into v + dangling rank / N)
      const double n = st.setup.vertices, d = st.setup.damping;
      double change = 0;
      for (std::size_t k = 0; k < st.rank.size(); ++k) {
        double next = (1.0 - d) / n + d * (st.incoming[k] + st.dangling_total / n);
        change += std::fabs(next - st.rank[k]);
        st.rank[k] = next;
        st.incoming[k] = 0;
      }
      st.dangling_total = 0;
      st.shares_received = 0;
      st.edges.send(self, "driver", pagerank_change_msg{m.iteration, change});
    },
    [=](state_atom) {
      auto& st = self->state;
      pagerank_ranks_msg out{{}, st.rank};
      for (std::size_t k = 0; k < st.rank.size(); ++k)
        out.vertex.push_back(static_cast<std::int32_t>(k) * st.setup.partitions + st.setup.index);
      return out;
    },
  };
}

// ---- driver ------------------------------------------------------------------------
struct driver_state {
  static inline const char* name = "axon.pagerank.driver";
  ports edges;
  int partitions = 0, iteration = 0, max_iterations = 0, changes_received = 0;
  double tolerance = 0, change = 0;
  caf::response_promise done;
};

caf::behavior driver_behavior(caf::stateful_actor<driver_state>* self, std::int32_t partitions) {
  self->state.partitions = partitions;
  for (int p = 0; p < partitions; ++p)
    self->state.edges.declare_out<pagerank_iterate_msg, pagerank_change_msg>(partition_node(p));
  auto start_iteration = [self] {
    auto& st = self->state;
    st.change = 0;
    st.changes_received = 0;
    for (int p = 0; p < st.partitions; ++p)
      st.edges.send(self, partition_node(p), pagerank_iterate_msg{st.iteration});
  };
  return {
    connect_handler(self),
    credit_handler(self),
    [=](step_atom, double tolerance, std::int32_t max_iterations) -> caf::result<std::int32_t, double> {
      auto& st = self->state;
      st.tolerance = tolerance;
      st.max_iterations = max_iterations;
      st.iteration = 0;
      st.done = self->make_response_promise();
      start_iteration();
      return st.done;
    },
    [=](const pagerank_change_msg& m) {
      auto& st = self->state;
      st.change += m.change;
      if (++st.changes_received < st.partitions)
        return;
      ++st.iteration;
      if (st.change < st.tolerance || st.iteration >= st.max_iterations)
        st.done.deliver(std::int32_t{st.iteration}, st.change);
      else
        start_iteration();
    },
  };
}

} // namespace

actor_graph make_graph(const edge_list& edges, int partitions, double damping) {
  if (partitions < 1 || edges.vertices < partitions || edges.from.size() != edges.to.size())
    throw std::invalid_argument("pagerank: need 1 <= partitions <= vertices and matching edge lists");
  std::vector<pagerank_partition_setup> setups(partitions);
  for (int p = 0; p < partitions; ++p)
    setups[p] = {p, partitions, edges.vertices, damping, {}, {}};
  for (std::size_t e = 0; e < edges.from.size(); ++e) {
    auto& owner = setups[edges.from[e] % partitions];
    owner.from.push_back(edges.from[e]);
    owner.to.push_back(edges.to[e]);
  }
  actor_graph g;
  g.add_node("driver", "axon.pagerank.driver", caf::make_message(std::int32_t{partitions}));
  for (int p = 0; p < partitions; ++p)
    g.add_node(partition_node(p), "axon.pagerank.partition", caf::make_message(setups[p]));
  for (int p = 0; p < partitions; ++p) {
    g.add_edge<pagerank_iterate_msg, pagerank_change_msg>({"driver", partition_node(p)},
                                                          {partition_node(p), "driver"}, 1);
    for (int q = 0; q < partitions; ++q)
      g.add_edge<pagerank_share_msg>({partition_node(p), "to" + std::to_string(q)},
                                     {partition_node(q), "from" + std::to_string(p)}, 1);
  }
  return g;
}

registry modules() {
  registry r;
  r.add_types<caf::id_block::pagerank>("pagerank");
  r.add_kind("axon.pagerank.driver",
             factory_of<std::int32_t>([](caf::actor_system& sys, std::int32_t partitions) {
               return sys.spawn(driver_behavior, partitions);
             }));
  r.add_kind("axon.pagerank.partition", factory_of<pagerank_partition_setup>(
                                          [](caf::actor_system& sys, const pagerank_partition_setup& s) {
                                            return sys.spawn(partition_behavior, s);
                                          }));
  return r;
}

result run(graph_process& process, const edge_list& edges, int partitions, double damping,
           double tolerance, int max_iterations) {
  auto spawned = process.spawn(make_graph(edges, partitions, damping));
  if (!spawned)
    throw std::runtime_error("pagerank graph: " + error_text(spawned.error()));
  caf::scoped_actor self{process.system()};
  result out;
  out.rank.assign(edges.vertices, 0.0);
  self->request(spawned->at("driver"), std::chrono::minutes(1), step_atom::value, tolerance,
                std::int32_t{max_iterations})
    .receive(
      [&](std::int32_t iterations, double change) {
        out.iterations = iterations;
        out.last_change = change;
      },
      [&](caf::error& err) { throw std::runtime_error("pagerank: " + error_text(err)); });
  for (int p = 0; p < partitions; ++p)
    self->request(spawned->at(partition_node(p)), std::chrono::minutes(1), state_atom::value)
      .receive(
        [&](const pagerank_ranks_msg& ranks) {
          for (std::size_t k = 0; k < ranks.vertex.size(); ++k)
            out.rank[ranks.vertex[k]] = ranks.rank[k];
        },
        [&](caf::error& err) { throw std::runtime_error("pagerank: " + error_text(err)); });
  spawned->stop();
  return out;
}

result run_sequential(const edge_list& edges, double damping, double tolerance,
                      int max_iterations) {
  const auto n = edges.vertices;
  std::vector<std::int32_t> degree(n, 0);
  for (auto u : edges.from)
    ++degree[u];
  result out;
  out.rank.assign(n, 1.0 / n);
  for (out.iterations = 0; out.iterations < max_iterations;) {
    std::vector<double> incoming(n, 0.0);
    double dangling = 0;
    for (std::size_t e = 0; e < edges.from.size(); ++e)
      incoming[edges.to[e]] += out.rank[edges.from[e]] / degree[edges.from[e]];
    for (int v = 0; v < n; ++v)
      if (degree[v] == 0)
        dangling += out.rank[v];
    out.last_change = 0;
    for (int v = 0; v < n; ++v) {
      double next = (1.0 - damping) / n + damping * (incoming[v] + dangling / n);
      out.last_change += std::fabs(next - out.rank[v]);
      out.rank[v] = next;
    }
    ++out.iterations;
    if (out.last_change < tolerance)
      break;
  }
  return out;
}

} // namespace axon::pagerank
