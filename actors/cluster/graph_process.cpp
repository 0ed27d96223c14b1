// graph_process: see graph_process.hpp.
#include "actors/cluster/graph_process.hpp"

#include "actors/cluster/tls_roles.hpp"

#include "runtime/config/graph_schema.hpp"
#include "runtime/config/load.hpp"
#include "runtime/graph/error.hpp"

namespace axon {

caf::expected<std::unique_ptr<graph_process>>
graph_process::start(registry modules, const std::string& cluster_file, int threads) {
  if (cluster_file.empty())
    return start(std::move(modules), std::nullopt, threads);
  auto loaded = config::load_config_file(cluster_file, {}, config::graph_schema());
  if (!loaded.resolved)
    return make_error(errc::bad_input, loaded.error_text());
  return start(std::move(modules), cluster::cluster_settings_of(*loaded.resolved), threads);
}

caf::expected<std::unique_ptr<graph_process>>
graph_process::start(registry modules, std::optional<cluster::cluster_settings> cluster,
                     int threads) {
  std::unique_ptr<graph_process> process{new graph_process};
  process->modules_ = std::move(modules);
  process->cluster_ = std::move(cluster);
  // A user's graph places actors on nodes as `axon train` does: with TLS, only with a
  // coordinator certificate, and it accepts only node certificates as peers.
  if (process->cluster_)
    if (auto problem = prepare_tls(process->cluster_->tls, tls_role::coordinator);
        !problem.empty())
      return make_error(errc::bad_input, problem);
  const auto* settings = process->cluster_ ? &*process->cluster_ : nullptr;
  process->cfg_ = std::make_unique<system_config>(process->modules_, threads, settings);
  process->sys_ = std::make_unique<caf::actor_system>(*process->cfg_);
  if (settings != nullptr) {
    auto opened = cluster_connection::open(*process->sys_, *settings, process->modules_);
    if (!opened)
      return opened.error();
    process->nodes_ = *opened;
  }
  return process;
}

namespace {

void place(actor_graph& graph, const cluster_connection* nodes) {
  if (nodes)
    for (const auto& node : graph.nodes())
      graph.set_placement(node.name, nodes->placement_of(node.name));
}

} // namespace

caf::expected<running_graph> graph_process::spawn(actor_graph graph) {
  place(graph, nodes_.get());
  return graph.spawn(*sys_, modules_.kinds(), nodes_.get());
}

std::string graph_process::placement_of(const std::string& name) const {
  return nodes_ ? nodes_->placement_of(name) : std::string{cluster::local_node};
}

bool graph_process::rejoin(const std::string& node, std::chrono::milliseconds within) {
  return nodes_ && nodes_->rejoin(node, within);
}

caf::error graph_process::respawn(actor_graph graph, running_graph& running,
                                  const std::vector<std::string>& names,
                                  const std::map<std::string, std::string>& placed) {
  place(graph, nodes_.get());
  for (const auto& [name, where] : placed)
    graph.set_placement(name, where);
  running.retire(names);
  if (auto err = graph.spawn_nodes(*sys_, modules_.kinds(), nodes_.get(), names, running))
    return err;
  return graph.wire(*sys_, running, names);
}

} // namespace axon
