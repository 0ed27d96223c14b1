// init_weights_file, check_init_weights: see init_source.hpp.
#include "runtime/checkpoint/init_source.hpp"

#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/safetensors.hpp"

#include <filesystem>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace axon::checkpoint {

namespace fs = std::filesystem;

namespace {

bool is_hf_folder(const fs::path& dir) {
  return fs::is_regular_file(dir / "config.json") && fs::is_regular_file(dir / "model.safetensors");
}

} // namespace

std::string init_weights_file(const std::string& path) {
  if (path.empty() || fs::is_regular_file(path))
    return path;
  if (!fs::is_directory(path))
    throw std::runtime_error("model.init = " + path + ": no such file or folder");
  const fs::path dir{path};
  if (is_hf_folder(dir))
    return (dir / "model.safetensors").string();
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

void check_init_weights(const std::string& file, const std::vector<param_spec>& specs) {
  if (file.empty())
    return;
  safetensors_file weights;
  try {
    weights = read_safetensors(file);
  } catch (const std::exception& e) {
    throw checkpoint_error(std::string{"model.init: cannot read its weights: "} + e.what());
  }
  if (!match_weights(weights, specs).source.empty())
    return;
  const std::string example = specs.empty() ? "" : " such as " + specs.front().name;
  if (weights.tensors.empty())
    throw checkpoint_error("model.init: " + file + " holds no tensor: the run would train "
                           "from scratch; give weights with this model's names" + example
                           + ", or leave model.init empty");
  throw checkpoint_error("model.init: none of the " + std::to_string(weights.tensors.size())
                         + " tensors of " + file + " (e.g. \"" + weights.tensors.begin()->first
                         + "\") is a tensor of this model, so the run would train from "
                           "scratch; it needs BERT names as Hugging Face writes them" + example);
}

std::vector<std::string> hf_architecture_overrides(const std::string& path) {
  if (path.empty() || !fs::is_directory(path) || !is_hf_folder(path))
    return {};
  const auto cfg = config_from_hf_json((fs::path{path} / "config.json").string());
  auto key = [](const char* name, auto value) {
    std::ostringstream text; // float digits: 1e-12 stays 1e-12 (std::to_string: 0.000000)
    text << std::setprecision(7) << "--model." << name << "=" << value;
    return text.str();
  };
  return {key("hidden", cfg.hidden),
          key("layers", cfg.layers),
          key("heads", cfg.heads),
          key("intermediate", cfg.intermediate),
          key("max-positions", cfg.max_positions),
          key("type-vocab-size", cfg.type_vocab_size),
          key("layer-norm-eps", double(cfg.layer_norm_eps)),
          key("dropout", double(cfg.hidden_dropout)),
          key("attention-dropout", double(cfg.attention_dropout))};
}

} // namespace axon::checkpoint
