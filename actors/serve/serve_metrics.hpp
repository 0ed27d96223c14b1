// serve_metrics: the counters of one `axon serve` process, shared by the HTTP front's
// threads and the batcher actor (atomics only, no locks), and their Prometheus text
// (GET /metrics): requests by HTTP status, texts classified, the queue (requests waiting
// for a replica, requests held), batch sizes and request latency as histograms, reloads,
// and which checkpoint serves.
#pragma once

#include "actors/serve/serve_model.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace axon {

/// A Prometheus histogram with fixed upper bounds (the last bucket is +Inf).
template <std::size_t N>
struct fixed_histogram {
  std::array<double, N> bounds;
  std::array<std::atomic<std::uint64_t>, N + 1> counts{};
  std::atomic<std::uint64_t> count{0};
  std::atomic<double> sum{0};

  void observe(double value);
  /// `name_bucket{le="..."} n` lines (cumulative), `name_sum`, `name_count`.
  std::string render(const std::string& name, const std::string& help) const;
};

struct serve_metrics {
  std::atomic<std::uint64_t> ok{0}, bad_request{0}, unauthorized{0}, forbidden{0}, refused{0},
    failed{0}, not_found{0}, conflict{0};
  std::atomic<std::uint64_t> texts{0};
  std::atomic<std::int64_t> queue_depth{0}; // requests waiting for a replica
  std::atomic<std::int64_t> held{0};        // requests admitted and not yet answered
  std::atomic<std::uint64_t> reloads{0}, reloads_refused{0}; // model reloads done, refused
  fixed_histogram<9> batch_sizes{{1, 2, 4, 8, 16, 32, 64, 128, 256}};
  fixed_histogram<12> latency_s{
    {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5}};

  /// Counts a finished HTTP request by its status.
  void count_status(int status);
  /// Every metric in the Prometheus text format (version 0.0.4); with `serving`, also
  /// axon_serve_model_info naming its run, checkpoint and step.
  std::string prometheus(const served_model* serving = nullptr) const;
};

} // namespace axon
