// job_run's checkpoints: one of the current step (safetensors and a manifest whose job
// part the job_kind fills), and the newest valid one taken back into the graph, the step,
// the loader's cursor and the job's own state. See job_run.hpp.
#include "actors/jobs/job_run.hpp"

#include "actors/jobs/resume_pipeline.hpp"
#include "runtime/checkpoint/checkpoint.hpp"

#include <iostream>

namespace axon {

checkpoint::expected_layout job_run::expected() const {
  return {plan_.config_hash, specs_, plan_.legacy_config_hash};
}

caf::error job_run::save(bool is_best) {
  const auto folder = "step-" + std::to_string(step_);
  if (folder == last_checkpoint_ && !is_best)
    return caf::none; // written already (an evaluation, then `checkpoint` or `stop`)
  auto state = pipeline_->gather_state();
  if (!state)
    return state.error();
  checkpoint::manifest info;
  info.step = step_;
  info.optimizer_step = state->steps;
  info.config_hash = plan_.config_hash;
  kind_.save_to(info, cursor_);
  checkpoint::save_checkpoint(plan_.run_dir, info, state->params, state->first_moments,
                              state->second_moments, {plan_.keep_checkpoints, is_best});
  last_checkpoint_ = folder;
  return caf::none;
}

// The newest valid checkpoint's state into the graph, the step, the cursor and the job's
// own state; false when there is none.
caf::expected<bool> job_run::restore_checkpoint() {
  auto found = resume_pipeline(*pipeline_, plan_.run_dir, expected());
  if (!found)
    return found.error();
  if (!*found)
    return false;
  const auto& ckpt = **found;
  step_ = ckpt.info.step;
  cursor_ = kind_.restore_from(ckpt.info);
  last_checkpoint_ = ckpt.folder.filename().string();
  std::cerr << "resumed from " << ckpt.folder.string() << " (step " << step_ << ", "
            << kind_.where(ckpt.info) << ")\n";
  return true;
}

} // namespace axon
