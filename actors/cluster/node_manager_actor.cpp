// node manager actor: see node_manager_actor.hpp.
#include "actors/cluster/node_manager_actor.hpp"

#include "runtime/graph/error.hpp"
#include "actors/cluster/atoms.hpp"
#include "runtime/graph/atoms.hpp"
#include "runtime/graph/node_identity.hpp"

#include "runtime/monitor/node_report.hpp"

#include <caf/all.hpp>

#include <iostream>
#include <map>
#include <vector>

namespace axon {

namespace {

struct node_manager_state {
  static inline const char* name = "axon.node_manager";
  std::string node_name;
  kind_table kinds;
  node_identity identity;
  std::map<caf::actor_addr, std::vector<caf::actor>> sessions; // accepted, with their actors
};

using node_manager = caf::stateful_actor<node_manager_state>;

void log(node_manager* self, const std::string& text) {
  std::cerr << "[node " << self->state.node_name << "] " << text << std::endl;
}

caf::behavior node_manager_behavior(node_manager* self, std::string node_name, kind_table kinds,
                                    node_identity identity) {
  self->state.node_name = std::move(node_name);
  self->state.kinds = std::move(kinds);
  self->state.identity = std::move(identity);
  self->set_down_handler([=](caf::down_msg& down) {
    auto it = self->state.sessions.find(down.source);
    if (it == self->state.sessions.end()) { // an actor spawned here ended
      for (auto& [session, actors] : self->state.sessions)
        std::erase_if(actors, [&](const caf::actor& a) { return a.address() == down.source; });
      return;
    }
    std::vector<std::uint64_t> ids;
    for (const auto& actor : it->second) {
      self->send_exit(actor, caf::exit_reason::user_shutdown);
      ids.push_back(actor.id());
    }
    monitor::process_probes().remove_actors(ids);
    log(self, "session ended (" + error_text(down.reason) + "): stopped "
                + std::to_string(it->second.size()) + " actors");
    self->state.sessions.erase(it);
  });
  // Stopping the node stops what it hosts (else they would keep the process alive).
  self->set_exit_handler([=](caf::exit_msg& exit) {
    for (const auto& [session, actors] : self->state.sessions)
      for (const auto& actor : actors)
        self->send_exit(actor, exit.reason);
    self->quit(exit.reason);
  });
  return {
    [=](hello_atom, const std::string& version, const std::string& message_types,
        const caf::actor& session) -> caf::result<std::string, std::string, std::string> {
      const auto& here = self->state.identity;
      if (auto mismatch = identity_mismatch(here, {version, message_types}); !mismatch.empty())
        log(self, "refused a coordinator: " + mismatch);
      else if (session && !self->state.sessions.contains(session.address())) {
        self->monitor(session);
        self->state.sessions.emplace(session.address(), std::vector<caf::actor>{});
        log(self, "accepted a session from " + to_string(session.node()));
      }
      return {self->state.node_name, here.version, here.message_types};
    },
    [=](place_atom, const caf::actor& session, const std::string& kind, const std::string& name,
        caf::message& params) -> caf::result<caf::actor> {
      auto it = self->state.sessions.find(session.address());
      if (it == self->state.sessions.end())
        return make_error(errc::refused, "node " + self->state.node_name
                                 + " has no accepted session for this coordinator (say hello "
                                   "with a matching identity first)");
      auto factory = self->state.kinds.find(kind);
      if (factory == self->state.kinds.end())
        return make_error(errc::unknown_kind, "node " + self->state.node_name
                                                + " has no actor kind '" + kind + "'");
      auto actor = factory->second(self->system(), node_spec{name, kind, std::move(params)});
      if (!actor)
        return actor.error();
      it->second.push_back(*actor);
      self->monitor(*actor); // a retired actor leaves the session's list (down handler)
      // Its counters, kept here where it runs; the coordinator mirrors them (stats_atom).
      monitor::process_probes().add_actor(name, kind, self->state.node_name, "cpu", actor->id());
      log(self, "spawned " + name + " (" + kind + ")");
      return *actor;
    },
    // From this process on SIGTERM: every coordinator with a session here is asked to
    // retire the actors it placed here (a job with placement.elastic shrinks between
    // steps); answered once all have answered, with what they said.
    [=](leave_atom, caf::timespan within) -> caf::result<std::string> {
      if (self->state.sessions.empty())
        return std::string{"no job had a session here"};
      auto promise = self->make_response_promise<std::string>();
      auto pending = std::make_shared<std::size_t>(self->state.sessions.size());
      auto said = std::make_shared<std::string>();
      auto answered = [=](const std::string& text) mutable {
        *said += (said->empty() ? "" : "; ") + text;
        if (--*pending == 0)
          promise.deliver(*said);
      };
      for (const auto& [address, actors] : self->state.sessions) {
        auto session = caf::actor_cast<caf::actor>(address);
        if (!session) {
          answered("a session had ended");
          continue;
        }
        self->request(session, within, leave_atom::value, self->state.node_name)
          .then([=](const std::string& text) mutable { answered(text); },
                [=](caf::error& err) mutable { answered("refused: " + error_text(err)); });
      }
      return promise;
    },
    // `wanted`: names (one per line) of actors someone inspects on the coordinator: they
    // compute their costly details (grad and update norms) for a while.
    [=](stats_atom, const std::string& wanted) {
      auto& probes = monitor::process_probes();
      for (std::size_t pos = 0; pos < wanted.size();) {
        auto end = std::min(wanted.find('\n', pos), wanted.size());
        if (auto probe = probes.find_named(wanted.substr(pos, end - pos)))
          probe->want_details();
        pos = end + 1;
      }
      return monitor::make_node_report(probes);
    },
  };
}

} // namespace

caf::actor spawn_node_manager(caf::actor_system& sys, std::string node_name,
                              const registry& modules) {
  return sys.spawn(node_manager_behavior, std::move(node_name), modules.kinds(),
                   this_identity(modules));
}

} // namespace axon
