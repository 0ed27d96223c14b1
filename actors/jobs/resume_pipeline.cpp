// resume_pipeline: see resume_pipeline.hpp.
#include "actors/jobs/resume_pipeline.hpp"

#include <iostream>

namespace axon {

std::optional<checkpoint::loaded_checkpoint>
resume_pipeline(bert::pipeline& pipeline, const std::string& run_dir,
                const checkpoint::expected_layout& expect) {
  auto found = checkpoint::load_latest_valid(run_dir, expect);
  for (const auto& skipped : found.skipped)
    std::cerr << "resume: skipping " << skipped.folder.string() << ": " << skipped.reason << '\n';
  if (!found.checkpoint)
    return std::nullopt;
  auto& ckpt = *found.checkpoint;
  bert::training_state state{param_arena{expect.params}, {}, {}, ckpt.info.optimizer_step};
  state.first_moments = state.params.like();
  state.second_moments = state.params.like();
  checkpoint::restore(ckpt, state.params, state.first_moments, state.second_moments);
  pipeline.restore_state(state);
  return std::move(ckpt);
}

} // namespace axon
