// serve_models: the model replicas of `axon serve` by generation, so that a reload swaps
// models without stopping the service (docs/serving.md). Generation 0 is what the service
// started with; publish() adds the next one (loaded elsewhere, while the old one serves)
// and makes it current. The batcher tags each request with the generation current when
// it was admitted, and every batch of that request goes to that generation's models:
// requests in flight finish on the old model, and the replicas swap between batches.
// Once no request of an older generation is held, the batcher retires it (its weights
// are freed when the last batch using them is done). What each generation served stays
// known (info()), so an answer can name it after a later reload.
// Thread-safe: the front's threads, the reloader and the actors call it at once.
#pragma once

#include "actors/serve/serve_model.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace axon {

class serve_models {
public:
  /// Generation 0: one model per replica (at least one replica); null for a replica on a
  /// node process, which holds its own model (node_replica.hpp).
  serve_models(std::vector<serve_model_ptr> replicas, served_model info);

  /// Makes `replicas` (as many as generation 0 had) the current generation; returns its
  /// number. Throws std::invalid_argument for another count.
  std::uint64_t publish(std::vector<serve_model_ptr> replicas, served_model info);

  std::uint64_t current() const { return current_.load(std::memory_order_acquire); }
  std::size_t replicas() const { return replicas_; }
  /// Replica `replica`'s model of `generation`; null when retired, out of range or held by
  /// a node process.
  serve_model_ptr model(std::uint64_t generation, std::size_t replica) const;
  /// What `generation` serves (null: no such generation).
  std::shared_ptr<const served_model> info(std::uint64_t generation) const;
  std::shared_ptr<const served_model> current_info() const { return info(current()); }

  /// Gives replica `replica` its model of the current generation, which it had none of
  /// (it ran on a node process and runs in this process now). Throws
  /// std::invalid_argument for a replica out of range.
  void adopt(std::size_t replica, serve_model_ptr model);

  /// Drops the models of the generations before `generation`; returns how many
  /// generations were dropped.
  std::size_t retire_before(std::uint64_t generation);
  /// Generations whose models are still held (the current one and any not yet retired).
  std::size_t live_generations() const;

private:
  mutable std::mutex mutex_;
  std::size_t replicas_ = 0;
  std::map<std::uint64_t, std::vector<serve_model_ptr>> models_;
  std::map<std::uint64_t, std::shared_ptr<const served_model>> infos_;
  std::atomic<std::uint64_t> current_{0};
};

} // namespace axon
