// replica_places: where the model replicas of `axon serve` run, read from placement.nodes
// and placement.devices (serve_config.hpp): in this process or on a node, and on which
// device.
#pragma once

#include "actors/serve/messages.hpp"

#include <cstddef>
#include <vector>

namespace axon::app {

/// `here[i]`: replica i runs in this process (else on a node process); `computes[i]`:
/// where it computes (on the CPU when absent).
struct replica_places {
  std::vector<bool> here;
  std::vector<replica_compute> computes;

  replica_compute compute_of(std::size_t replica) const {
    return replica < computes.size() ? computes[replica] : replica_compute{};
  }
};

} // namespace axon::app
