// The report a node process sends the coordinator's monitor once a second: its pid, CPU
// time and resident memory, and the counters of every actor it hosts (ages rather than
// clock readings, since the processes' clocks differ). Both ends live here, so the field
// names are written once. No CAF: the report is a JSON string inside a CAF message.
#pragma once

#include "runtime/monitor/probes.hpp"

#include <cstdint>
#include <string>

namespace axon::monitor {

/// The report of this process, from its probe registry.
std::string make_node_report(const probe_registry& probes);

/// Where a node stands in the coordinator's view between two reports (for CPU %).
struct node_report_clock {
  double cpu_seconds = 0;
  std::int64_t at_ns = 0; // 0: no report yet
};

/// Applies a report of node `name` (at `address`) to `probes`: the node's row (state up)
/// and the counters of the actors it names. A report that is not valid JSON is ignored.
void apply_node_report(probe_registry& probes, const std::string& name,
                       const std::string& address, const std::string& report,
                       node_report_clock& clock);

} // namespace axon::monitor
