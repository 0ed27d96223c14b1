// The CAF configuration every Axon process starts from: all message types registered,
// scheduler threads set from Axon's own thread count, idle scheduler workers that sleep
// instead of spinning (CAF's defaults poll aggressively first), and the middleman loaded.
#pragma once

#include <caf/actor_system_config.hpp>

namespace axon {

class system_config : public caf::actor_system_config {
public:
  /// `threads`: CAF scheduler threads (0: all cores).
  explicit system_config(int threads = 0);
};

} // namespace axon
