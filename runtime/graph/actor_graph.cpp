// actor_graph: declaration checks, spawning and edge wiring.
#include "runtime/graph/actor_graph.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/graph/atoms.hpp"
#include "runtime/fnv1a.hpp"
#include "runtime/monitor/probes.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

#include <chrono>
#include <set>
#include <sstream>
#include <stdexcept>

namespace axon {

const caf::actor& running_graph::at(const std::string& name) const {
  auto it = actors.find(name);
  if (it == actors.end())
    throw std::out_of_range("no node named " + name + " in the running graph");
  return it->second;
}

namespace {

// The probe id of a graph actor: its actor id when it runs in this process; for an actor on
// another process (whose ids may equal ours) a hash of its node and id with the top bit
// set, which no local actor id reaches. Local actors find their probe by their own id.
std::uint64_t probe_id(const caf::actor& actor) {
  if (actor.node() == actor.home_system().node())
    return actor.id();
  return fnv1a64{}.add(to_string(actor.node()) + "#" + std::to_string(actor.id())).value()
         | (std::uint64_t{1} << 63);
}

} // namespace

namespace {

// Exits for `actors` (user_shutdown), their probes (and their edges') removed.
template <class Actors>
void stop_actors(const Actors& actors) {
  std::vector<std::uint64_t> ids;
  for (const caf::actor& actor : actors) {
    ids.push_back(probe_id(actor));
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  monitor::process_probes().remove_actors(ids);
}

} // namespace

void running_graph::stop() const {
  std::vector<caf::actor> all;
  for (const auto& [name, actor] : actors)
    all.push_back(actor);
  stop_actors(all);
}

void running_graph::retire(const std::vector<std::string>& names) {
  std::vector<caf::actor> leaving;
  for (const auto& name : names)
    if (auto it = actors.find(name); it != actors.end()) {
      leaving.push_back(it->second);
      actors.erase(it);
    }
  stop_actors(leaving);
}

std::string running_graph::name_of(const caf::actor_addr& actor) const {
  for (const auto& [name, a] : actors)
    if (a.address() == actor)
      return name;
  return "";
}

namespace {

using name_set = std::set<std::string>;

bool among(const name_set& names, const std::string& name) {
  return names.count(name) != 0;
}

// The probes of a spawned graph's actors and edges (when monitoring is on), of the nodes
// `names` and the edges touching them: what the inspection endpoint reports. Actors find
// their probe by actor id.
void register_probes(const actor_graph& graph, const running_graph& running,
                     const name_set& names) {
  auto& probes = monitor::process_probes();
  if (!probes.enabled())
    return;
  for (const auto& n : graph.nodes()) {
    if (!among(names, n.name))
      continue;
    const auto& actor = running.at(n.name);
    auto probe = probes.add_actor(n.name, n.kind, n.placement, n.device, probe_id(actor));
    probe->kill = [addr = caf::actor_cast<caf::actor_addr>(actor), state = &probe->state] {
      if (auto target = caf::actor_cast<caf::actor>(addr)) {
        state->store(monitor::activity::stopped);
        caf::anon_send_exit(target, caf::exit_reason::kill);
      }
    };
  }
  for (const auto& e : graph.edges()) {
    if (!among(names, e.from.node) && !among(names, e.to.node))
      continue;
    monitor::edge_probe spec;
    spec.from = e.from.node;
    spec.from_port = e.from.port;
    spec.to = e.to.node;
    spec.to_port = e.to.port;
    spec.message_type = e.message_name;
    spec.from_id = probe_id(running.at(e.from.node));
    spec.to_id = probe_id(running.at(e.to.node));
    spec.credit_window = e.credit_window;
    probes.add_edge(spec);
  }
}

} // namespace

const node_spec* actor_graph::find(const std::string& name) const {
  for (const auto& n : nodes_)
    if (n.name == name)
      return &n;
  return nullptr;
}

void actor_graph::add_node(std::string name, std::string kind, caf::message params,
                           std::string placement) {
  if (name.empty() || find(name) != nullptr)
    throw std::invalid_argument("actor_graph: node name '" + name + "' is empty or taken");
  nodes_.push_back({std::move(name), std::move(kind), std::move(params), std::move(placement)});
}

node_spec& actor_graph::declared(const std::string& name, const char* what) {
  for (auto& n : nodes_)
    if (n.name == name)
      return n;
  throw std::invalid_argument("actor_graph: no node named " + name + " to " + what);
}

void actor_graph::set_placement(const std::string& name, std::string placement) {
  declared(name, "place").placement = std::move(placement);
}

void actor_graph::set_device(const std::string& name, std::string device) {
  declared(name, "put on a device").device = std::move(device);
}

void actor_graph::add_typed_edge(edge_spec edge) {
  const auto& from = edge.from;
  const auto& to = edge.to;
  for (const auto* end : {&from, &to})
    if (find(end->node) == nullptr)
      throw std::invalid_argument("actor_graph: edge endpoint " + end->node + "." + end->port
                                  + " names no node");
  if (edge.credit_window < 0)
    throw std::invalid_argument("actor_graph: credit window must be >= 0");
  for (const auto& e : edges_)
    if ((e.from.node == from.node && e.from.port == from.port)
        || (e.to.node == to.node && e.to.port == to.port))
      throw std::invalid_argument("actor_graph: port " + from.node + "." + from.port + " or "
                                  + to.node + "." + to.port + " is already wired");
  edges_.push_back(std::move(edge));
}

caf::expected<caf::actor> actor_graph::spawn_node(caf::actor_system& sys,
                                                  const kind_table& kinds,
                                                  const remote_nodes* remote,
                                                  const node_spec& n) const {
  if (n.placement != "local") {
    if (!remote)
      return make_error(errc::invalid_graph,
                             "placement '" + n.placement
                               + "' needs a cluster; this process runs local nodes only");
    return remote->spawn(n);
  }
  auto kind = kinds.find(n.kind);
  if (kind == kinds.end())
    return make_error(errc::unknown_kind, "unknown kind '" + n.kind + "'");
  return kind->second(sys, n);
}

caf::expected<running_graph> actor_graph::spawn(caf::actor_system& sys, const kind_table& kinds,
                                                const remote_nodes* remote) const {
  running_graph running;
  std::vector<std::string> all;
  for (const auto& n : nodes_)
    all.push_back(n.name);
  if (auto err = spawn_nodes(sys, kinds, remote, all, running))
    return err;
  if (auto err = wire(sys, running, all)) {
    running.stop();
    return err;
  }
  return running;
}

caf::error actor_graph::spawn_nodes(caf::actor_system& sys, const kind_table& kinds,
                                    const remote_nodes* remote,
                                    const std::vector<std::string>& names,
                                    running_graph& running) const {
  std::vector<std::string> spawned;
  for (const auto& name : names) {
    const auto* n = find(name);
    auto actor = n != nullptr ? spawn_node(sys, kinds, remote, *n)
                              : caf::expected<caf::actor>{make_error(errc::invalid_graph,
                                                                     "not declared")};
    if (!actor) {
      running.retire(spawned);
      return make_error(errc::invalid_graph, "node " + name + ": " + error_text(actor.error()));
    }
    running.actors.emplace(name, *actor);
    spawned.push_back(name);
  }
  return caf::none;
}

caf::error actor_graph::wire(caf::actor_system& sys, const running_graph& running,
                             const std::vector<std::string>& nodes) const {
  const name_set names(nodes.begin(), nodes.end());
  caf::scoped_actor self{sys};
  caf::error failure;
  for (const auto& e : edges_) {
    if (!among(names, e.from.node) && !among(names, e.to.node))
      continue;
    for (bool sender_end : {true, false}) {
      const auto& here = sender_end ? e.from : e.to;
      const auto& there = sender_end ? e.to : e.from;
      port_binding binding{here.port, running.at(there.node), there.port, sender_end,
                           std::int32_t{e.credit_window}, e.forward_types, e.backward_types};
      self
        ->request(running.at(here.node), std::chrono::seconds(30), connect_atom::value,
                  std::move(binding))
        .receive([](bool) {},
                 [&](caf::error& err) {
                   failure = make_error(errc::invalid_graph, "edge " + e.from.node + "." + e.from.port + " -> "
                                               + e.to.node + "." + e.to.port + " ("
                                               + e.message_name + "): " + error_text(err));
                 });
      if (failure)
        return failure;
    }
  }
  register_probes(*this, running, names);
  return caf::none;
}

std::string actor_graph::to_dot() const {
  std::ostringstream out;
  out << "digraph axon {\n";
  for (const auto& n : nodes_)
    out << "  \"" << n.name << "\" [label=\"" << n.name << "\\n" << n.kind << "\"];\n";
  for (const auto& e : edges_)
    out << "  \"" << e.from.node << "\" -> \"" << e.to.node << "\" [label=\"" << e.message_name
        << (e.credit_window > 0 ? " /" + std::to_string(e.credit_window) : "") << "\"];\n";
  out << "}\n";
  return out.str();
}

} // namespace axon
