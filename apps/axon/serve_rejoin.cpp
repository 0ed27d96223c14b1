// Replicas taken back: see serve_rejoin.hpp.
#include "apps/axon/serve_rejoin.hpp"

#include "actors/serve/messages.hpp"
#include "actors/serve/serve_graph.hpp"
#include "runtime/config/cluster_settings.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>

#include <iostream>

namespace axon::app {

void take_back_replicas(graph_process& process, const actor_graph& graph,
                        running_graph& running, const caf::actor& batcher,
                        std::chrono::milliseconds within) {
  std::vector<std::int32_t> lost;
  {
    caf::scoped_actor self{process.system()};
    self->request(batcher, within, lost_atom::value)
      .receive([&](std::vector<std::int32_t>& gone) { lost = std::move(gone); },
               [](caf::error&) {}); // the batcher busy or stopping: next round
  }
  for (auto r : lost) {
    const auto name = replica_name(r);
    const auto node = process.placement_of(name);
    if (node == cluster::local_node || !process.rejoin(node, within))
      continue;
    auto err = process.respawn(graph, running, {name});
    if (!err)
      err = link_through_kg(process.system(), running, {name}, within);
    if (err) {
      std::cerr << "axon serve: " << node << " is back, but " << name
                << " could not be spawned there again: " << error_text(err) << std::endl;
      continue;
    }
    std::cout << "axon serve: " << name << " runs again on " << node << std::endl;
  }
}

} // namespace axon::app
