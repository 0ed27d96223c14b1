// graph_process: a process that runs a user's graph, here or on the node processes of a
// cluster config, in a few lines of its main:
//
//   auto process = axon::graph_process::start(modules(), cluster_file); // "": this process only
//   if (!process) ... axon::error_text(process.error()) ...
//   auto running = (*process)->spawn(make_graph(...)); // each node placed per [placement]
//
// It holds the CAF configuration (the registry's types; heartbeats and TLS from the
// config's [cluster] section), the actor system and the connection to the nodes; the
// nodes are programs calling node_main with the same registry.
#pragma once

#include "actors/cluster/cluster_connection.hpp"
#include "actors/cluster/system_config.hpp"
#include "runtime/graph/actor_graph.hpp"
#include "runtime/graph/registry.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace axon {

class graph_process {
public:
  /// Reads `cluster_file` ("" for none; checked against config::graph_schema(): [cluster],
  /// placement.nodes, train.threads) and connects to the nodes its placement names. `threads`: CAF scheduler threads (0: all cores).
  static caf::expected<std::unique_ptr<graph_process>>
  start(registry modules, const std::string& cluster_file = "", int threads = 0);
  /// The same with the cluster keys already read from a config of more keys (`axon
  /// serve`'s); nullopt: this process only.
  static caf::expected<std::unique_ptr<graph_process>>
  start(registry modules, std::optional<cluster::cluster_settings> cluster, int threads = 0);

  caf::actor_system& system() { return *sys_; }
  /// Spawns `graph` with the registry's kinds, each node placed by the cluster's
  /// placement rules (here without a cluster).
  caf::expected<running_graph> spawn(actor_graph graph);

  /// Where the placement rules put graph node `name`: a node process's name, or "local".
  std::string placement_of(const std::string& name) const;
  /// Connects again to node process `node` (restarted since it was lost), trying for at
  /// most `within`; false without a cluster or when it does not answer.
  bool rejoin(const std::string& node, std::chrono::milliseconds within);
  /// Spawns the graph nodes `names` of `graph` (spawned before into `running`) anew, in
  /// place of their actors, which are stopped, and wires their edges again: a lost actor
  /// replaced while the rest of the graph runs on. `placed` overrides the placement rules
  /// (graph node -> node process, or cluster::local_node): a lost actor moved elsewhere.
  caf::error respawn(actor_graph graph, running_graph& running,
                     const std::vector<std::string>& names,
                     const std::map<std::string, std::string>& placed = {});

private:
  graph_process() = default;

  registry modules_;
  std::optional<cluster::cluster_settings> cluster_;
  std::unique_ptr<system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::shared_ptr<cluster_connection> nodes_;
};

} // namespace axon
