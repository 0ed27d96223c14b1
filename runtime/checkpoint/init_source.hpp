// model.init: which safetensors file a run starts from. A file is taken as it is (Hugging
// Face or Axon names); a Hugging Face model folder (config.json beside model.safetensors)
// gives its model.safetensors, and its config.json the architecture; a checkpoint folder
// (step-N/) gives its model.safetensors once the folder passes load_checkpoint's checks; a
// run directory (of axon train or axon pretrain) gives its best checkpoint's, or else its
// newest valid one's. A file that gives the model no tensor is refused before the run starts.
#pragma once

#include "runtime/param_arena.hpp"

#include <string>
#include <vector>

namespace axon::checkpoint {

/// The safetensors file that `path` names; throws checkpoint_error (naming the path and
/// why) for a folder without a valid checkpoint, std::runtime_error for a missing path.
std::string init_weights_file(const std::string& path);

/// Checks, before a run writes anything, that the weights file from init_weights_file
/// (empty: none) can be read and names at least one tensor of the model (`specs`; their
/// shapes are not compared, so sizes that the data decides may be provisional). Throws
/// checkpoint_error naming the file and what is wrong (unreadable, no tensor, no name of
/// the model).
void check_init_weights(const std::string& file, const std::vector<param_spec>& specs);

/// For a Hugging Face model folder: the architecture of its config.json as config
/// overrides ("--model.hidden=384", ...: hidden, layers, heads, intermediate,
/// max-positions, type-vocab-size, layer-norm-eps, dropout, attention-dropout); empty for
/// anything else. Throws std::runtime_error naming the key Axon cannot run.
std::vector<std::string> hf_architecture_overrides(const std::string& path);

} // namespace axon::checkpoint
