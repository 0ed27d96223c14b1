// job_run's scale events: `scale shards N` from the console (a control message handled
// between steps, like the others in job_control.cpp) adds or retires data-parallel shards
// before the next step (bert::pipeline::scale_shards), logs {"event": "scale", "step",
// "shards", "nodes", "seconds"} in metrics.jsonl and shows it to the console. Refused with
// the job going on unchanged: N < 1, N above placement.max-shards, N x train.micro-batches
// above train.batch-size, a recovery in progress,
// a joining actor that cannot be spawned (no such device or node process); N equal to the
// current count does nothing. See job_run.hpp and docs/elastic.md.
#include "actors/jobs/job_run.hpp"

#include "runtime/graph/error.hpp"

#include <algorithm>
#include <iostream>
#include <set>

namespace axon {

using clock_type = std::chrono::steady_clock;

namespace {

// The node processes running the actors of shards, sorted ("local": this process).
std::vector<std::string> shard_nodes(const bert::pipeline& p) {
  std::set<std::string> nodes;
  for (const auto& node : p.graph().nodes())
    if (node.name.starts_with("shard"))
      nodes.insert(node.placement);
  return {nodes.begin(), nodes.end()};
}

} // namespace

std::string shards_text(std::int32_t shards) { // declared in job_run.hpp
  return std::to_string(shards) + (shards == 1 ? " shard" : " shards");
}

caf::error refused_unchanged(const std::string& what, const std::string& why,
                             std::int32_t shards) {
  return make_error(errc::bad_input, what + ": " + why + "; the job goes on unchanged ("
                                       + shards_text(shards) + ")");
}

std::string job_run::scale_refusal(std::int32_t shards) const {
  if (shards < 1)
    return "a job needs at least one shard (use stop to end it)";
  if (shards > plan_.max_shards)
    return "above placement.max-shards = " + std::to_string(plan_.max_shards)
           + " (raise it in the config, or --placement.max-shards on resume)";
  // As the config's rule for placement.shards: every micro-batch of a full batch has a row.
  const auto parts = std::int64_t{shards} * pipeline_->layout().micro_batches;
  if (plan_.global_batch > 0 && parts > plan_.global_batch)
    return "train.batch-size = " + std::to_string(plan_.global_batch) + " is smaller than "
           + std::to_string(shards) + " x train.micro-batches = " + std::to_string(parts)
           + ": every micro-batch of a full batch needs a row";
  if (recoveries_in_a_row_ > 0 || pipeline_->broken())
    return "the job is recovering from a lost actor; try again after the next step";
  return "";
}

caf::error job_run::resize(std::int32_t shards, const std::string& what) {
  auto err = pipeline_->scale_shards(shards);
  if (!err)
    return caf::none;
  if (!pipeline_->broken()) // nothing changed
    return refused_unchanged(what, error_text(err), pipeline_->layout().shards);
  // An actor was lost while scaling: recover as from a failed step, at the step done.
  auto recovered = recover(err, nullptr);
  if (!recovered) {
    control_failure_ = recovered.error();
    return recovered.error();
  }
  return make_error(errc::failed, what + ": " + error_text(err) + "; the job recovered with "
                                    + shards_text(pipeline_->layout().shards) + " and goes on");
}

std::string job_run::record_scale(std::int32_t from, clock_type::time_point began) {
  const auto shards = pipeline_->layout().shards;
  const double seconds = std::chrono::duration<double>(clock_type::now() - began).count();
  const auto nodes = shard_nodes(*pipeline_);
  log_->append({{"event", "scale"},
                {"step", step_},
                {"shards", shards},
                {"nodes", nodes},
                {"seconds", seconds}});
  monitor::process_probes().add_scale_point({step_, shards, nodes, seconds});
  std::cerr << "console: scaled from " << from << " to " << shards << " shards after step "
            << step_ << " in " << seconds << " s\n";
  publish_details();
  return "scaled from " + std::to_string(from) + " to " + std::to_string(shards)
         + " shards after step " + std::to_string(step_) + " ("
         + std::to_string(static_cast<long long>(seconds * 1000)) + " ms)";
}

caf::expected<std::string> job_run::scale(std::int32_t shards) {
  const auto now = pipeline_->layout().shards;
  const auto what = "scale shards " + std::to_string(shards);
  if (auto why = scale_refusal(shards); !why.empty())
    return refused_unchanged(what, why, now);
  if (shards == now)
    return "the job already runs " + std::to_string(now) + " shards: nothing to do";
  const auto began = clock_type::now();
  if (auto err = resize(shards, what))
    return err;
  return record_scale(now, began);
}

} // namespace axon
