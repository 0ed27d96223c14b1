// What `--resume` (and recovery from a checkpoint) does first, for both supervisors: the newest valid checkpoint of a run
// (the refused newer ones reported on stderr), its parameters and AdamW moments put into
// the pipeline's optimizers.
#pragma once

#include "graphs/bert/bert_pipeline.hpp"
#include "runtime/checkpoint/checkpoint.hpp"

#include <optional>
#include <string>

namespace axon {

/// Returns the checkpoint restored (for its manifest), or nothing when the run directory
/// has no valid checkpoint.
std::optional<checkpoint::loaded_checkpoint>
resume_pipeline(bert::pipeline& pipeline, const std::string& run_dir,
                const checkpoint::expected_layout& expect);

} // namespace axon
