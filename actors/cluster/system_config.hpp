// The CAF configuration every Axon process starts from: the registry's message types,
// scheduler threads set from Axon's own thread count, idle scheduler workers that sleep
// instead of spinning (CAF's defaults poll aggressively first), and the middleman loaded.
// With cluster settings: heartbeats and the connection timeout on (CAF 0.17 defaults them
// off, so a frozen peer would never be noticed), and CAF's OpenSSL module with the
// certificate, key and CA when TLS is configured.
#pragma once

#include "runtime/config/cluster_settings.hpp"
#include "runtime/graph/registry.hpp"

#include <caf/actor_system_config.hpp>

namespace axon {

class system_config : public caf::actor_system_config {
public:
  /// `types`: the message types of the graphs this process runs (registry::register_types);
  /// `threads`: CAF scheduler threads (0: all cores).
  explicit system_config(const registry& types, int threads = 0,
                         const cluster::cluster_settings* cluster = nullptr);
};

} // namespace axon
