// node manager actor: what `axon node` publishes on its port. A coordinator first says
// hello with its identity (Axon version, message-type set) and its session actor; the
// manager answers with its own name and identity, and accepts the session only when the
// identities match. Then the coordinator places graph nodes here: the manager spawns each
// with the kind's factory and returns the actor. When a session ends (its actor exits, or
// its process dies or goes silent past the connection timeout), the manager stops every
// actor it spawned for that session, so that the node is ready for the next job.
//
// Messages in: (hello_atom, version, message_types, session) -> (name, version, message_types)
//              (place_atom, session, kind, name, params) -> actor, or an error naming the
//              unknown kind, the refused session or the factory's failure.
//              (leave_atom, within) -> text: (from this process, on SIGTERM) every session's
//              coordinator asked to retire the actors it placed here, each answer in it.
//              (stats_atom, wanted) -> JSON of this process's figures and its actors'
//              counters; the actors named in `wanted` (one per line) compute their details.
#pragma once

#include "runtime/graph/registry.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <string>

namespace axon {

/// `modules`: the kinds this node spawns and the message types it shares with coordinators.
caf::actor spawn_node_manager(caf::actor_system& sys, std::string node_name,
                              const registry& modules);

} // namespace axon
