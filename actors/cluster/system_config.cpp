// system_config: registration, scheduler and network settings.
#include "actors/cluster/system_config.hpp"

#include "runtime/compute_pool.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

namespace axon {

system_config::system_config(const registry& types, int threads,
                             const cluster::cluster_settings* cluster) {
  types.register_types(*this);
  load<caf::io::middleman>();
  auto n = threads > 0 ? threads : core_count();
  set("scheduler.max-threads", static_cast<std::size_t>(n));
  // Idle workers: at most one spin round, then a short sleeping poll, then wait.
  set("work-stealing.aggressive-poll-attempts", static_cast<std::size_t>(1));
  set("work-stealing.moderate-poll-attempts", static_cast<std::size_t>(10));
  if (cluster == nullptr)
    return;
  set("middleman.heartbeat-interval", caf::timespan{cluster->heartbeat});
  set("middleman.connection-timeout", caf::timespan{cluster->timeout});
  if (cluster->tls.enabled()) {
    load<caf::openssl::manager>();
    openssl_certificate = cluster->tls.certificate;
    openssl_key = cluster->tls.key;
    openssl_cafile = cluster->tls.ca;
  }
}

} // namespace axon
