// cluster_connection: the coordinator's side of a cluster. Opening it connects to the node
// processes that the placement uses (TLS when configured), compares identities with each
// (Axon version, message-type set) and starts a session actor that the nodes watch: when
// the connection object is destroyed, or this process dies, the nodes stop the actors they
// spawned for it. Every step is bounded by cluster.timeout; failures say which node, at
// which address, and what to do. With monitoring on, a mirror actor copies the nodes'
// actor counters and process figures into this process's probes once a second, so that
// the inspection endpoint and `axon console` show the whole cluster.
// With placement.elastic (docs/elastic.md) nodes absent at the start are skipped, rules
// naming a node that is not connected are too, nodes connect later (connect: a node that
// joins) and are forgotten (release: a node that left), and a node that leaves on SIGTERM
// asks the session for it (leave_atom), which the session hands to the job (set_control).
#pragma once

#include "runtime/graph/actor_graph.hpp"
#include "runtime/graph/node_identity.hpp"
#include "runtime/graph/registry.hpp"
#include "runtime/config/cluster_settings.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/node_id.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace axon {

class cluster_connection : public remote_nodes {
public:
  /// Connects to every node that settings.placement names (settings.elastic: to those
  /// that answer at the first attempt); `types`: this process's message types, which each
  /// node must share (node_identity).
  static caf::expected<std::shared_ptr<cluster_connection>>
  open(caf::actor_system& sys, const cluster::cluster_settings& settings, const registry& types);

  ~cluster_connection() override;
  cluster_connection(const cluster_connection&) = delete;
  cluster_connection& operator=(const cluster_connection&) = delete;

  const cluster::cluster_settings& settings() const { return settings_; }

  /// settings().node_of(name).
  std::string placement_of(const std::string& name) const override;
  /// Spawns a graph node on the node process of node.placement.
  caf::expected<caf::actor> spawn(const node_spec& node) const override;
  /// "worker1 (127.0.0.1:7101)" for an actor on a node process, "local" for this one.
  std::string where(const caf::actor_addr& actor) const override;
  std::string node_name_of(const caf::actor_addr& actor) const override;
  /// Connects and shakes hands again; the mirror follows the new node manager.
  bool rejoin(const std::string& node, std::chrono::milliseconds within) override;
  std::string relocate(const std::string& lost,
                       const std::vector<std::string>& graph_nodes) override;
  caf::error connect(const std::string& node) override;
  bool connected(const std::string& node) const override;
  void release(const std::string& node) override;
  void assign(const std::string& group, const std::string& node) override;
  /// The actor that answers a node's (leave_atom, node) request: the job's supervisor.
  void set_control(const caf::actor& supervisor);

private:
  cluster_connection(caf::actor_system& sys, cluster::cluster_settings settings,
                     node_identity identity);

  caf::actor_system& sys_;
  cluster::cluster_settings settings_;
  node_identity identity_;                     // this process's, said in every hello
  caf::actor session_;                         // watched by the nodes
  caf::actor middleman_;                       // connects, capped (capped_transport.hpp)
  caf::actor mirror_;                          // copies the nodes' counters (monitoring on)
  std::map<std::string, caf::actor> managers_; // node name -> its node manager
  // Recovery: the earlier processes of nodes that rejoined (their actors keep their node's
  // name in messages), nodes given up on, and graph nodes moved off them (name -> node).
  std::vector<std::pair<std::string, caf::node_id>> former_;
  std::set<std::string> lost_;
  std::map<std::string, std::string> moved_;
  std::map<std::string, std::string> assigned_; // elastic: graph node group -> node
};

} // namespace axon
