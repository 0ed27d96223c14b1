// Replicas taken back: see serve_rejoin.hpp.
#include "apps/axon/serve_rejoin.hpp"

#include "actors/serve/messages.hpp"
#include "actors/serve/serve_graph.hpp"
#include "runtime/config/cluster_settings.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>

#include <iostream>

namespace axon::app {

replica_keeper::replica_keeper(graph_process& process, const actor_graph& graph,
                               running_graph& running, caf::actor batcher,
                               std::chrono::milliseconds within,
                               std::chrono::milliseconds move_after,
                               std::function<void(std::size_t)> bring_here)
  : process_(process), graph_(graph), running_(running), batcher_(std::move(batcher)),
    within_(within), move_after_(move_after), bring_here_(std::move(bring_here)) {
}

void replica_keeper::say_failure(const std::string& name, std::string failure) {
  if (failures_[name] != failure)
    std::cerr << "axon serve: " << failure
              << " (retrying every second; said again only if the reason changes)" << std::endl;
  failures_[name] = std::move(failure);
}

bool replica_keeper::respawn(const std::string& name,
                             const std::map<std::string, std::string>& placed) {
  auto err = process_.respawn(graph_, running_, {name}, placed);
  if (!err)
    err = link_through_kg(process_.system(), running_, {name}, within_);
  if (!err) {
    failures_.erase(name);
    lost_since_.erase(name);
    return true;
  }
  say_failure(name, name + " could not be spawned again: " + error_text(err));
  return false;
}

void replica_keeper::round() {
  std::vector<std::int32_t> lost;
  {
    caf::scoped_actor self{process_.system()};
    self->request(batcher_, within_, lost_atom::value)
      .receive([&](std::vector<std::int32_t>& gone) { lost = std::move(gone); },
               [](caf::error&) {}); // the batcher busy or stopping: next round
  }
  const auto now = clock::now();
  for (auto r : lost) {
    const auto name = replica_name(r);
    const auto since = lost_since_.emplace(name, now).first->second;
    const auto node = process_.placement_of(name);
    if (node == cluster::local_node)
      continue;
    if (process_.rejoin(node, within_)) {
      if (respawn(name, {}))
        std::cout << "axon serve: " << name << " runs again on " << node << std::endl;
      continue;
    }
    if (move_after_.count() <= 0 || now - since < move_after_)
      continue;
    try {
      bring_here_(std::size_t(r));
    } catch (const std::exception& e) {
      say_failure(name, name + " could not be loaded in this process: " + e.what());
      continue;
    }
    if (respawn(name, {{name, std::string{cluster::local_node}}}))
      std::cout << "axon serve: " << name << " runs in this process now: " << node
                << " has not come back for "
                << std::chrono::duration_cast<std::chrono::seconds>(now - since).count()
                << " s (serve.move-lost-after)" << std::endl;
  }
}

} // namespace axon::app
