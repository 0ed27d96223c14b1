// serve_reload: switching `axon serve` to its run's new best checkpoint without downtime
// (POST /v1/reload, and serve.watch's polling; docs/serving.md). A reload loads
// serve.replicas new models from the checkpoint that the run marks best (best.txt; the
// newest step-N folder when none is marked), verified like every load (manifest checksum,
// size and SHA-256 of each file, the run's files), while the old models serve; then
// publishes them as the next generation (serve_models.hpp): new requests go to them, the
// requests in flight finish on the old ones, which are freed once those are answered.
// A checkpoint that fails verification is refused and the old model keeps serving; a
// reload to the checkpoint already served changes nothing (it costs a stat, not a load).
// One reload at a time: another one meanwhile is refused as busy.
#pragma once

#include "actors/serve/serve_metrics.hpp"
#include "actors/serve/serve_models.hpp"
#include "apps/axon/replica_places.hpp"
#include "runtime/compute_pool.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace axon::app {

/// The checkpoint folder a reload would load and a stamp of its contents (the manifest's
/// modification time, -1 when it has none), so that a folder written anew counts as new.
struct checkpoint_target {
  std::string folder;
  std::int64_t stamp = -1;
  bool operator==(const checkpoint_target&) const = default;
};

/// RUN_DIR's best checkpoint (best.txt), else its newest step-N folder; nullopt: none.
/// Throws checkpoint_error for a garbled best.txt.
std::optional<checkpoint_target> reload_target(const std::string& run_dir);
/// The target of a checkpoint folder.
checkpoint_target target_of(const std::string& folder);

struct reload_result {
  int status = 200;       // 200: reloaded or already served; 409: refused or busy
  bool reloaded = false;  // a new generation serves
  std::string error;      // why refused (status 409)
  std::shared_ptr<const served_model> serving;  // what answers new requests now
  std::shared_ptr<const served_model> previous; // what did before (when reloaded)
};

class serve_reloader {
public:
  /// `serving`: the folder generation 0 was loaded from; `places`: the replicas in this
  /// process and their devices (a replica on a node process loads the new checkpoint
  /// itself, at its first batch of the new generation).
  serve_reloader(std::string run_dir, replica_places places, std::shared_ptr<compute_pool> pool,
                 std::shared_ptr<serve_models> models, std::shared_ptr<serve_metrics> metrics,
                 caf::actor_system& system, caf::actor batcher, const std::string& serving);

  /// Reloads now (POST /v1/reload). Thread-safe.
  reload_result reload();
  /// serve.watch: reloads when the target differs from what serves and from the last
  /// target refused (a refused checkpoint is tried again once it changes). nullopt: nothing
  /// to do.
  std::optional<reload_result> poll();
  /// Replica `replica` runs in this process from now on (it ran on a node process): loads
  /// its model of the checkpoint served now, and of every later reload, on the CPU (the
  /// device it had was the node's). Thread-safe; throws what loading throws.
  void bring_here(std::size_t replica);

private:
  reload_result reload_locked(const std::optional<checkpoint_target>& target);

  std::string run_dir_;
  replica_places places_;
  std::shared_ptr<compute_pool> pool_;
  std::shared_ptr<serve_models> models_;
  std::shared_ptr<serve_metrics> metrics_;
  caf::actor_system& system_;
  caf::actor batcher_;
  std::mutex mutex_; // one reload at a time; guards the two below
  checkpoint_target serving_;
  std::optional<checkpoint_target> refused_;
};

/// `{"reloaded": true, "model": {...}, "previous": {...}}`, `{"reloaded": false, "model":
/// {...}}` or, refused, `{"error": {"message": ...}, "model": {...}}` (what still serves).
std::string reload_json(const reload_result& result);

} // namespace axon::app
