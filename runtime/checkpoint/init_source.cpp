// init_weights_file: see init_source.hpp.
#include "runtime/checkpoint/init_source.hpp"

#include "runtime/checkpoint/checkpoint.hpp"

#include <filesystem>
#include <stdexcept>

namespace axon::checkpoint {

namespace fs = std::filesystem;

std::string init_weights_file(const std::string& path) {
  if (path.empty() || fs::is_regular_file(path))
    return path;
  if (!fs::is_directory(path))
    throw std::runtime_error("model.init = " + path + ": no such file or folder");
  const fs::path dir{path};
  if (fs::exists(dir / "manifest.msgpack")) // one checkpoint folder
    return (load_checkpoint(dir).folder / "model.safetensors").string();
  if (auto best = best_checkpoint(dir)) {
    auto folder = dir / "checkpoints" / ("step-" + std::to_string(*best));
    return (load_checkpoint(folder).folder / "model.safetensors").string();
  }
  auto found = load_latest_valid(dir);
  if (!found.checkpoint)
    throw checkpoint_error("model.init = " + path
                           + ": neither a safetensors file, a checkpoint folder, nor a run "
                             "directory with a valid checkpoint");
  return (found.checkpoint->folder / "model.safetensors").string();
}

} // namespace axon::checkpoint
