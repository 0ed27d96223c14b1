// capped_transport: the cluster's BASP connections (plain TCP and TLS) with message sizes
// capped before anything is allocated (message_cap.hpp says what is refused).
//
// Where the cap sits, and why there. CAF 0.17 has no size limit: its BASP broker reads a
// header and then calls `scribe::configure_read(exactly(payload_len))`, and the scribe's
// stream resizes its read buffer to that. Options considered:
//   1. A proxy in front of CAF (Axon accepts, inspects BASP headers, forwards bytes to CAF
//      on an inner port): every byte copied twice, TLS terminated outside CAF, and the inner
//      port is reachable by any local process, bypassing the cap.
//   2. A check in the BASP broker: the broker is a concrete CAF class created by the
//      middleman; nothing can be overridden there.
//   3. The scribe (one connection's reader/writer): `configure_read` is virtual and is the
//      one call that precedes every allocation of a read buffer. Chosen.
// Scribes are made by doormen (accepting) and by the middleman actor (connecting); both are
// replaceable through `caf::io::middleman_actor_impl`'s virtual `open` and `connect`, which
// is how CAF's own OpenSSL module plugs in its TLS scribes. The capped middleman actor here
// overrides both and makes capped scribes: CAF's TCP scribe, or a TLS scribe over CAF's
// public `caf::openssl::session`, each with a `read_admission` in front of configure_read.
// A refused read shuts the socket down and asks CAF for at most one byte: CAF then sees a
// closed or short connection and tears it down through its own paths (routing table,
// proxies, down messages). Publishing and connecting go through this actor instead of
// CAF's middleman actors; the BASP broker, heartbeats and everything else stay CAF's.
#pragma once

#include "actors/cluster/message_cap.hpp"
#include "runtime/config/cluster_settings.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace axon {

/// The cap that `settings` configure (cluster.max-message-mb); refusals are logged on
/// stderr, each line starting with `who` (e.g. "[node worker1] ").
std::shared_ptr<const message_cap> cluster_message_cap(const cluster::cluster_settings& settings,
                                                       std::string who);

/// Spawns the capped middleman actor of this process (TLS when `tls`: the process must
/// have loaded caf::openssl::manager with its files). It answers the messages of
/// `caf::io::middleman_actor` (publish, connect, unpublish, ...).
caf::actor spawn_capped_middleman(caf::actor_system& sys, std::shared_ptr<const message_cap> cap,
                                  bool tls);

/// Publishes `whom` at bind:port through `middleman` (from spawn_capped_middleman); the
/// port actually bound, or why not.
caf::expected<std::uint16_t> publish_capped(caf::actor_system& sys, const caf::actor& middleman,
                                           const caf::actor& whom, std::uint16_t port,
                                           const std::string& bind, bool reuse_address);

} // namespace axon
