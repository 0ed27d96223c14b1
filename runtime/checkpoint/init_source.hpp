// model.init: which safetensors file a run starts from. A file is taken as it is (Hugging
// Face or Axon names); a checkpoint folder (step-N/) gives its model.safetensors once the
// folder passes load_checkpoint's checks; a run directory (of axon train or axon
// pretrain) gives its best checkpoint's, or else its newest valid one's.
#pragma once

#include <string>

namespace axon::checkpoint {

/// The safetensors file that `path` names; throws checkpoint_error (naming the path and
/// why) for a folder without a valid checkpoint, std::runtime_error for a missing path.
std::string init_weights_file(const std::string& path);

} // namespace axon::checkpoint
