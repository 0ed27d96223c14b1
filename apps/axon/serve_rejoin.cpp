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

void replica_keeper::keep_kg() {
  const auto kg = running_.actors.find("kg");
  if (kg == running_.actors.end())
    return;
  if (!kg_watch_)
    kg_watch_.emplace(process_.system());
  auto& self = *kg_watch_;
  if (watched_kg_ != kg->second) {
    self->monitor(kg->second); // a down message at once if it is gone already
    watched_kg_ = kg->second;
  }
  std::string why; // "" while it runs
  for (bool pending = true; pending;)
    self->receive(
      [&](caf::down_msg& down) {
        if (down.source == watched_kg_.address())
          why = error_text(down.reason);
      },
      caf::after(std::chrono::seconds(0)) >> [&] { pending = false; });
  if (why.empty())
    return;
  const auto node = process_.placement_of("kg");
  auto err = process_.respawn(graph_, running_, {"kg"}, {{"kg", std::string{cluster::local_node}}});
  if (err) {
    say_failure("kg", "the KG service could not be spawned again: " + error_text(err));
    watched_kg_ = nullptr; // watched again (and found gone) next round
    return;
  }
  failures_.erase("kg");
  // The replicas running now take it; a lost one takes it when it is spawned again.
  for (const auto& n : graph_.nodes())
    if (n.kind == "serve.replica")
      if (auto failed = link_through_kg(process_.system(), running_, {n.name}, within_))
        std::cerr << "axon serve: " << error_text(failed) << std::endl;
  std::cout << "axon serve: kg runs in this process now: the one "
            << (node == cluster::local_node ? std::string{"here"} : "on " + node) << " is gone ("
            << why << ")" << std::endl;
}

void replica_keeper::round() {
  keep_kg();
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
