// system_config: registration and scheduler settings.
#include "actors/system_config.hpp"

#include "actors/messages.hpp"
#include "runtime/compute_pool.hpp"

#include <caf/io/middleman.hpp>


namespace axon {

system_config::system_config(int threads) {
  register_message_types(*this);
  load<caf::io::middleman>();
  auto n = threads > 0 ? threads : core_count();
  set("scheduler.max-threads", static_cast<std::size_t>(n));
  // Idle workers: at most one spin round, then a short sleeping poll, then wait.
  set("work-stealing.aggressive-poll-attempts", static_cast<std::size_t>(1));
  set("work-stealing.moderate-poll-attempts", static_cast<std::size_t>(10));
}

} // namespace axon
