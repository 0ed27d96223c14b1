// cluster_connection: see cluster_connection.hpp.
#include "actors/cluster/cluster_connection.hpp"

#include "runtime/graph/error.hpp"
#include "actors/cluster/atoms.hpp"
#include "actors/cluster/capped_transport.hpp"
#include "runtime/graph/atoms.hpp"
#include "runtime/graph/node_identity.hpp"

#include "runtime/monitor/node_report.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <thread>

namespace axon {

namespace {

caf::error node_error(const cluster::node_address& node, const std::string& what) {
  return make_error(errc::refused, "node " + node.name + " (" + node.endpoint() + "): " + what);
}

// The node manager published at node's address, or why not. Attempts are repeated until
// cluster.timeout has passed: a node still starting (connection refused) gets that long,
// and so does a slow handshake, which CAF 0.17 may cut at its first heartbeat tick.
// `middleman`: the connection's capped middleman (cluster.max-message-mb, TLS or not).
// `retry` false: one attempt, and a null actor when nothing answers (an elastic job's start,
// where an absent node is no error).
caf::expected<caf::actor> reach(caf::scoped_actor& self, const caf::actor& middleman,
                                const cluster::cluster_settings& settings,
                                const cluster::node_address& node, bool retry) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + settings.timeout;
  std::string failure;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      break;
    caf::expected<caf::actor> result{make_error(errc::failed, "no answer from " + node.endpoint())};
    self->request(middleman, left, connect_atom::value, node.host, node.port)
      .receive(
        [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
          result = caf::actor_cast<caf::actor>(std::move(ptr));
        },
        [&](caf::error& err) { failure = error_text(err); });
    if (result && *result)
      return result;
    if (result)
      return node_error(node, "nothing is published at this address");
    if (!retry) {
      std::cerr << "cluster: node " << node.name << " (" << node.endpoint() << ") is absent ("
                << failure << "); placement.elastic: the job starts without it\n";
      return caf::actor{};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return node_error(node, "cannot connect within cluster.timeout (last: " + failure
                            + "): is `axon node --name " + node.name + "` running there"
                            + (settings.tls.enabled() ? ", with TLS files from the same CA" : "")
                            + "?");
}

struct mirror_state {
  static inline const char* name = "axon.cluster_mirror";
  std::map<std::string, caf::actor> managers;               // by node name
  std::map<std::string, monitor::node_report_clock> clocks; // by node name
};

// Once a second, asks every node manager for its report and applies it; a node that does
// not answer within cluster.timeout is shown as suspect, one whose connection is gone as down.
// (mirror_atom, name, manager) replaces the manager of a node that rejoined or joined; a
// null manager forgets a node that left.
caf::behavior cluster_mirror(caf::stateful_actor<mirror_state>* self,
                             std::map<std::string, caf::actor> managers,
                             cluster::cluster_settings settings) {
  self->state.managers = std::move(managers);
  self->send(self, mirror_atom::value);
  auto poll = [=](mirror_atom) {
    for (const auto& [name, manager] : self->state.managers) {
      const auto* node = settings.find(name);
      std::string wanted; // remote actors someone inspects here
      for (const auto& probe : monitor::process_probes().actors())
        if (probe->node == name && probe->details_wanted())
          wanted += probe->name + "\n";
      self->request(manager, settings.timeout, stats_atom::value, wanted)
        .then(
          [=](const std::string& text) {
            monitor::apply_node_report(monitor::process_probes(), node->name,
                                       node->endpoint(), text,
                                       self->state.clocks[node->name]);
          },
          [=](caf::error& err) {
            monitor::node_report row{node->name, node->endpoint()};
            row.state = err == caf::sec::request_timeout ? "suspect" : "down";
            monitor::process_probes().set_node(row);
          });
    }
    self->delayed_send(self, std::chrono::seconds(1), mirror_atom::value);
  };
  auto rejoined = [=](mirror_atom, const std::string& name, const caf::actor& manager) {
    if (manager)
      self->state.managers[name] = manager;
    else
      self->state.managers.erase(name);
  };
  return {poll, rejoined};
}

// Reaches node's manager and shakes hands: same Axon version and message-type set, the
// expected name; the node then watches `session`.
caf::expected<caf::actor> join(caf::actor_system& sys, const caf::actor& middleman,
                               const cluster::cluster_settings& settings,
                               const node_identity& here, const cluster::node_address& node,
                               const caf::actor& session, bool retry = true) {
  caf::scoped_actor self{sys};
  auto manager = reach(self, middleman, settings, node, retry);
  if (!manager || !*manager)
    return manager;
  caf::error failure;
  self
    ->request(*manager, settings.timeout, hello_atom::value, here.version, here.message_types,
              session)
    .receive(
      [&](const std::string& answered_name, const std::string& version,
          const std::string& message_types) {
        if (auto mismatch = identity_mismatch(here, {version, message_types}); !mismatch.empty())
          failure = node_error(node, mismatch);
        else if (answered_name != node.name)
          failure = node_error(node, "the node listening there is named " + answered_name
                                       + ": check cluster.nodes");
      },
      [&](caf::error& err) {
        failure = node_error(node, "no answer to the handshake (" + error_text(err) + ")");
      });
  if (failure)
    return failure;
  return manager;
}

// Whether graph node `name` is `group` or one under it (`group.*`).
bool in_group(const std::string& name, const std::string& group) {
  return name == group || (name.starts_with(group) && name[group.size()] == '.');
}

struct session_state {
  static inline const char* name = "axon.cluster_session";
  caf::actor control; // the job's supervisor: answers (leave_atom, node)
};

// The session the nodes watch; a node leaving on SIGTERM asks it to retire its actors,
// which the job does between steps (the reply comes then, or an error saying why not).
caf::behavior cluster_session(caf::stateful_actor<session_state>* self,
                              std::chrono::milliseconds elastic_timeout, bool elastic) {
  return {
    [=](control_atom, const caf::actor& supervisor) { self->state.control = supervisor; },
    [=](leave_atom, const std::string& node) -> caf::result<std::string> {
      if (!elastic) // answered at once: the job may be between steps only much later
        return make_error(errc::refused, "placement.elastic is off: the coordinator takes "
                                         "node " + node + " leaving for a lost node");
      if (!self->state.control)
        return make_error(errc::refused, "the job has not started yet: nothing to hand back");
      auto promise = self->make_response_promise<std::string>();
      self->request(self->state.control, elastic_timeout, leave_atom::value, node)
        .then([=](const std::string& text) mutable { promise.deliver(text); },
              [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
  };
}

} // namespace

cluster_connection::cluster_connection(caf::actor_system& sys, cluster::cluster_settings settings,
                                       node_identity identity)
  : sys_(sys), settings_(std::move(settings)), identity_(std::move(identity)) {
  // Nodes monitor it.
  session_ = sys.spawn(cluster_session, settings_.elastic_timeout, settings_.elastic);
  middleman_ = spawn_capped_middleman(sys, cluster_message_cap(settings_, "[cluster] "),
                                      settings_.tls.enabled());
}

cluster_connection::~cluster_connection() {
  if (mirror_)
    caf::anon_send_exit(mirror_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(session_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(middleman_, caf::exit_reason::user_shutdown);
}

caf::expected<std::shared_ptr<cluster_connection>>
cluster_connection::open(caf::actor_system& sys, const cluster::cluster_settings& settings,
                         const registry& types) {
  std::shared_ptr<cluster_connection> conn{
    new cluster_connection(sys, settings, this_identity(types))};
  std::set<std::string> used;
  for (const auto& rule : settings.placement)
    if (rule.node != cluster::local_node)
      used.insert(rule.node);
  for (const auto& name : used) {
    const auto* node = settings.find(name);
    if (node == nullptr)
      return make_error(errc::invalid_graph, "placement names node " + name + ", which is not in cluster.nodes");
    // Elastic: an absent node is skipped (it may join later); one that answers is checked.
    auto manager = join(sys, conn->middleman_, settings, conn->identity_, *node, conn->session_,
                        !settings.elastic);
    if (!manager)
      return manager.error();
    if (*manager) // null: absent, which an elastic job's start allows
      conn->managers_.emplace(name, *manager);
  }
  if (monitor::process_probes().enabled())
    conn->mirror_ = sys.spawn(cluster_mirror, conn->managers_, settings);
  return conn;
}

std::string cluster_connection::placement_of(const std::string& name) const {
  if (auto moved = moved_.find(name); moved != moved_.end())
    return moved->second;
  for (const auto& [group, node] : assigned_)
    if (in_group(name, group))
      return node;
  if (!settings_.elastic)
    return settings_.node_of(name);
  return settings_.node_of(name, [this](const std::string& node) { return connected(node); });
}

caf::expected<caf::actor> cluster_connection::spawn(const node_spec& node) const {
  auto manager = managers_.find(node.placement);
  if (manager == managers_.end())
    return make_error(errc::invalid_graph, "actor " + node.name + " is placed on " + node.placement
                             + ", which this cluster connection did not open");
  caf::scoped_actor self{sys_};
  caf::expected<caf::actor> result{make_error(errc::failed, "no answer from node " + node.placement)};
  self
    ->request(manager->second, settings_.timeout, place_atom::value, session_, node.kind,
              node.name, node.params)
    .receive([&](caf::actor& actor) { result = std::move(actor); },
             [&](caf::error& err) {
               result = make_error(errc::failed, "placing " + node.name + " on node " + node.placement
                                          + ": " + error_text(err));
             });
  return result;
}

std::string cluster_connection::where(const caf::actor_addr& actor) const {
  auto name = node_name_of(actor);
  if (name == cluster::local_node)
    return name;
  return name + " (" + settings_.find(name)->endpoint() + ")";
}

std::string cluster_connection::node_name_of(const caf::actor_addr& actor) const {
  for (const auto& [name, manager] : managers_)
    if (manager.node() == actor.node())
      return name;
  for (const auto& [name, node_id] : former_)
    if (node_id == actor.node())
      return name;
  return std::string{cluster::local_node};
}

bool cluster_connection::rejoin(const std::string& node, std::chrono::milliseconds within) {
  const auto* address = settings_.find(node);
  if (address == nullptr || managers_.count(node) == 0 || within.count() <= 0)
    return false;
  auto settings = settings_;
  settings.timeout = within; // join() keeps trying until then
  auto manager = join(sys_, middleman_, settings, identity_, *address, session_);
  if (!manager)
    return false;
  former_.emplace_back(node, managers_.at(node).node());
  managers_[node] = *manager;
  if (mirror_)
    caf::anon_send(mirror_, mirror_atom::value, node, *manager);
  return true;
}

std::string cluster_connection::relocate(const std::string& lost,
                                         const std::vector<std::string>& graph_nodes) {
  lost_.insert(lost);
  // Hosts in the order preferred on a tie: node processes (config order), then this one,
  // which already runs the coordinator, the supervisor and the loader.
  std::vector<std::string> hosts;
  for (const auto& node : settings_.nodes)
    if (managers_.count(node.name) != 0 && lost_.count(node.name) == 0)
      hosts.push_back(node.name);
  hosts.emplace_back(cluster::local_node);
  std::map<std::string, int> load;
  for (const auto& name : graph_nodes)
    ++load[placement_of(name)];
  auto target = *std::min_element(hosts.begin(), hosts.end(), [&](const auto& a, const auto& b) {
    return load[a] < load[b];
  });
  for (const auto& name : graph_nodes)
    if (placement_of(name) == lost)
      moved_[name] = target;
  return target;
}

caf::error cluster_connection::connect(const std::string& node) {
  const auto* address = settings_.find(node);
  if (address == nullptr)
    return make_error(errc::refused, "node " + node + " is not in cluster.nodes (nodes: "
                                       + settings_.node_names() + ")");
  if (connected(node))
    return make_error(errc::refused, "node " + node + " is already part of the job");
  auto manager = join(sys_, middleman_, settings_, identity_, *address, session_);
  if (!manager)
    return manager.error();
  managers_[node] = *manager;
  lost_.erase(node);
  if (mirror_)
    caf::anon_send(mirror_, mirror_atom::value, node, *manager);
  return caf::none;
}

bool cluster_connection::connected(const std::string& node) const {
  return managers_.count(node) != 0 && lost_.count(node) == 0;
}

void cluster_connection::release(const std::string& node) {
  auto manager = managers_.find(node);
  if (manager == managers_.end())
    return;
  former_.emplace_back(node, manager->second.node()); // its actors' messages still name it
  managers_.erase(manager);
  std::erase_if(assigned_, [&](const auto& entry) { return entry.second == node; });
  std::erase_if(moved_, [&](const auto& entry) { return entry.second == node; });
  if (mirror_)
    caf::anon_send(mirror_, mirror_atom::value, node, caf::actor{});
  if (monitor::process_probes().enabled()) { // the console's `nodes` says so
    monitor::node_report row{node, settings_.find(node)->endpoint()};
    row.state = "left";
    monitor::process_probes().set_node(row);
  }
}

void cluster_connection::assign(const std::string& group, const std::string& node) {
  // Earlier moves of the group's graph nodes (recovery) give way to the assignment.
  std::erase_if(moved_, [&](const auto& entry) { return in_group(entry.first, group); });
  assigned_[group] = node;
}

void cluster_connection::set_control(const caf::actor& supervisor) {
  caf::anon_send(session_, control_atom::value, supervisor);
}

} // namespace axon
