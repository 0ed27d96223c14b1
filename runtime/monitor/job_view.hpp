// job_view: what the inspection endpoint answers, built from the probe registry as JSON
// values (sent as msgpack): nodes, actors (with rates over the last sampling window),
// one actor's kind-specific state, the graph's edges, the training history. The endpoint
// calls sample() about once a second from its own thread; everything here runs on that
// thread, so it needs no lock of its own.
#pragma once

#include "runtime/monitor/probes.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace axon::monitor {

struct node_info {
  std::string name = "local";
  std::string address; // host:port of the endpoint
};

class job_view {
public:
  job_view(const probe_registry& probes, node_info node);

  /// Takes a sample of the counters: busy fractions, message rates and CPU use are
  /// measured between the last two samples.
  void sample();

  nlohmann::json nodes() const;
  /// Empty filters match everything.
  nlohmann::json actors(const std::string& node, const std::string& kind) const;
  /// nullopt: no actor of that name.
  std::optional<nlohmann::json> inspect(const std::string& actor) const;
  nlohmann::json graph() const;
  /// The last `last` training points (0: all) and every dev evaluation.
  nlohmann::json metrics(std::size_t last) const;
  const node_info& node() const { return node_; }

private:
  nlohmann::json actor_row(const actor_probe& a) const;

  struct counter_sample {
    double value = 0, per_s = 0;
  };
  const probe_registry& probes_;
  node_info node_;
  std::int64_t last_sample_ns_ = 0;
  std::map<std::uint64_t, counter_sample> busy_;     // by actor id: busy ns, busy fraction
  std::map<const edge_probe*, counter_sample> rate_; // messages, messages per second
  counter_sample cpu_;                               // process CPU seconds, cores in use
};

/// Resident memory of this process in bytes (0 when /proc is unavailable).
std::int64_t resident_bytes();

/// CPU time this process has used (user + system), in seconds.
double process_cpu_seconds();

} // namespace axon::monitor
