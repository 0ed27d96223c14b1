// actor_graph: the graph-definition API. A user declares nodes (a name, a kind, parameters
// and a placement), typed edges between named ports (the message types going forward and
// coming back, and a credit window: the most forward messages unanswered on it), then
// spawns the graph. Kinds are factories registered by name (registry.hpp), so the same
// declaration can place nodes in other processes.
//
//   actor_graph g;
//   g.add_node("stage0", "bert.stage", caf::make_message(setup0));
//   g.add_node("stage1", "bert.stage", caf::make_message(setup1));
//   g.add_edge<msg::forward_msg, msg::backward_msg>({"stage0", "next"}, {"stage1", "prev"}, 2);
//   auto running = g.spawn(sys, kinds);
//
// On spawn every node is created, then each end of each edge is told its peer with a
// connect request (a port_binding); a node that has no such port, declared it for the
// other end or for other message types refuses, and spawn fails naming the edge. Placement: "local" (this process) or the name of a node process (`axon node`),
// where a remote spawner (cluster_connection::spawn) creates the actor; edges are wired
// the same way wherever their ends run.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <caf/type_id.hpp>

#include "runtime/graph/ports.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace axon {

namespace detail {
template <class T>
struct type_names_of {
  static std::string get() { return caf::type_name<T>::value; }
};
template <class... Ts>
struct type_names_of<types<Ts...>> {
  static std::string get() {
    std::string out;
    ((out += (out.empty() ? "" : "|") + std::string{caf::type_name<Ts>::value}), ...);
    return out;
  }
};
} // namespace detail

struct node_spec {
  std::string name;
  std::string kind;
  caf::message params;
  std::string placement = "local";
  std::string device = "cpu"; // where it computes, as the console shows it (set_device)
};

struct port_ref {
  std::string node;
  std::string port;
};

struct edge_spec {
  port_ref from, to;
  int credit_window = 0; // 0: unbounded
  std::vector<std::uint16_t> forward_types, backward_types; // CAF type ids
  std::string message_name; // the forward types' names, for people
};

/// Creates the actor of one node from its parameters.
using node_factory = std::function<caf::expected<caf::actor>(caf::actor_system&, const node_spec&)>;
/// Node processes that host the graph nodes placed away from this process (a cluster:
/// actors/cluster_connection).
class remote_nodes {
public:
  virtual ~remote_nodes() = default;
  /// "local" or the name of the node process that runs the graph node `name`.
  virtual std::string placement_of(const std::string& name) const = 0;
  /// Spawns `node` on the node process `node.placement`.
  virtual caf::expected<caf::actor> spawn(const node_spec& node) const = 0;
  /// For messages: "worker1 (127.0.0.1:7101)", or "local" for this process.
  virtual std::string where(const caf::actor_addr& actor) const = 0;
  /// The name of the node process running `actor`, or "local" for this process.
  virtual std::string node_name_of(const caf::actor_addr& actor) const = 0;

  // Recovery after a node process was lost (the supervisor's fault handling):
  /// Connects to `node` again (a restarted process at its address), trying for `within`;
  /// false when it is not back by then.
  virtual bool rejoin(const std::string& node, std::chrono::milliseconds within) = 0;
  /// Places every graph node that ran on `lost` (among `graph_nodes`) on the surviving
  /// process (a node still connected, or "local") hosting the fewest of them; returns it.
  virtual std::string relocate(const std::string& lost,
                               const std::vector<std::string>& graph_nodes) = 0;

  // Elastic jobs (placement.elastic): node processes that join or leave a running job.
  /// Connects to `node` (a node that joins) with the checks of the start (a name in
  /// cluster.nodes, the same identity); an error saying why not.
  virtual caf::error connect(const std::string& node) = 0;
  /// Whether `node` is a node process this job is connected to.
  virtual bool connected(const std::string& node) const = 0;
  /// Forgets `node` (a node that left): nothing is placed there any more.
  virtual void release(const std::string& node) = 0;
  /// From now on places the graph node `group` and those under it (`group.*`) on `node`.
  virtual void assign(const std::string& group, const std::string& node) = 0;
};
using kind_table = std::map<std::string, node_factory>;

/// A spawned graph: its actors by node name.
struct running_graph {
  std::map<std::string, caf::actor> actors;
  const caf::actor& at(const std::string& name) const;
  /// Sends every actor an exit message (user_shutdown).
  void stop() const;
  /// Sends the actors of the graph nodes `names` an exit message (user_shutdown), removes
  /// their probes and forgets them (a graph that shrinks while it runs).
  void retire(const std::vector<std::string>& names);
  /// The node name of an actor of the graph, or "" when it is none of them.
  std::string name_of(const caf::actor_addr& actor) const;
};

class actor_graph {
public:
  /// Throws std::invalid_argument on a duplicate name.
  void add_node(std::string name, std::string kind, caf::message params = {},
                std::string placement = "local");

  /// An edge carrying Forward (a type, or types<...>) from `from` to `to` and Backward
  /// (void: nothing) back; both ends are ports of their nodes. Throws
  /// std::invalid_argument for an unknown node, a port wired twice or a negative window.
  template <class Forward, class Backward = void>
  void add_edge(port_ref from, port_ref to, int credit_window = 0) {
    add_typed_edge({std::move(from), std::move(to), credit_window,
                    detail::type_ids_of<Forward>::get(), detail::type_ids_of<Backward>::get(),
                    detail::type_names_of<Forward>::get()});
  }
  void add_typed_edge(edge_spec edge);

  /// Moves a declared node to `placement`; std::invalid_argument for an unknown name.
  void set_placement(const std::string& name, std::string placement);
  /// Says that a declared node computes on `device` ("cpu", "cuda:0"): its probe shows it
  /// (what its kind does with a device is its setup's business); std::invalid_argument for
  /// an unknown name.
  void set_device(const std::string& name, std::string device);

  const std::vector<node_spec>& nodes() const { return nodes_; }
  const std::vector<edge_spec>& edges() const { return edges_; }

  /// Spawns every node (local ones with their kind's factory, the others with `remote`)
  /// and wires every edge. On failure, the actors spawned so far are stopped and the error
  /// says which node or edge failed.
  caf::expected<running_graph> spawn(caf::actor_system& sys, const kind_table& kinds,
                                     const remote_nodes* remote = nullptr) const;

  // A graph that grows while it runs, in two steps, so that the actors already running
  // can be told of the new ports between them:
  /// Spawns the declared nodes `names` (absent from `running`) into `running`. On failure
  /// those spawned by this call are stopped and forgotten, and the error names the node.
  caf::error spawn_nodes(caf::actor_system& sys, const kind_table& kinds,
                         const remote_nodes* remote, const std::vector<std::string>& names,
                         running_graph& running) const;
  /// Wires every edge with an end at one of `nodes` and registers the probes of those
  /// nodes and edges; an error names the edge that failed.
  caf::error wire(caf::actor_system& sys, const running_graph& running,
                  const std::vector<std::string>& nodes) const;

  /// Graphviz text of the declared graph (nodes by kind, edges with type and window).
  std::string to_dot() const;

private:
  const node_spec* find(const std::string& name) const;
  /// The node named `name`; std::invalid_argument saying it cannot be `what` otherwise.
  node_spec& declared(const std::string& name, const char* what);
  caf::expected<caf::actor> spawn_node(caf::actor_system& sys, const kind_table& kinds,
                                       const remote_nodes* remote, const node_spec& n) const;

  std::vector<node_spec> nodes_;
  std::vector<edge_spec> edges_;
};

} // namespace axon
