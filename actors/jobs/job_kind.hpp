// job_kind: what a supervisor's job adds to the machinery both share (job_run): its own
// part of a checkpoint (cursor layout, epoch, RNG states, history), its state at step 0,
// its lines for `inspect supervisor`, and how a batch is completed before its step. The
// classifier's supervisor and the pretraining supervisor each implement it once.
#pragma once

#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/data/batcher.hpp"

#include <caf/error.hpp>

#include <string>

namespace axon {

namespace bert {
class pipeline;
}
namespace monitor {
struct actor_probe;
}

class job_kind {
public:
  virtual ~job_kind() = default;
  /// "train" or "pretrain": the command that resumes the run.
  virtual std::string command() const = 0;
  /// Fills the manifest's epoch, cursor (from the loader's `cursor` after the last applied
  /// step), rng_states, best_metric and metrics_history.
  virtual void save_to(checkpoint::manifest& info, const data::stream_cursor& cursor) const = 0;
  /// Takes the job's own state from a checkpoint; returns where the loader continues.
  virtual data::stream_cursor restore_from(const checkpoint::manifest& info) = 0;
  /// Words for where a checkpoint stands besides its step, e.g. "epoch 2".
  virtual std::string where(const checkpoint::manifest& info) const = 0;
  /// The job's own state of step 0 (recovery found no checkpoint to go back to).
  virtual void restart() = 0;
  /// Its details for `inspect supervisor` (the shared ones are written by job_run).
  virtual void publish(monitor::actor_probe& probe) const = 0;
  /// Completes a batch before its step with the graph's help (the KG service's entities);
  /// an error from the graph is recovered from like a failed step.
  virtual caf::error prepare(data::batch&, bert::pipeline&) { return caf::none; }
  /// A step or evaluation failed and recovery begins (a progress line ends first).
  virtual void interrupted() {}
};

} // namespace axon
