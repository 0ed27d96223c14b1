#include "runtime/config/memory_check.hpp"

#include "runtime/memory_limit.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace axon::config {

namespace {

// The vocabulary: data.vocab's lines when it names a readable file, else data.vocab-size.
double vocab_size(const resolved_config& cfg) {
  const auto& file = cfg.get_string("data.vocab");
  if (!file.empty())
    if (std::ifstream in{file}; in)
      return double(std::count(std::istreambuf_iterator<char>{in},
                               std::istreambuf_iterator<char>{}, '\n'));
  return double(cfg.get_int("data.vocab-size"));
}

} // namespace

double job_memory_bytes(const resolved_config& cfg) {
  const double h = double(cfg.get_int("model.hidden")), l = double(cfg.get_int("model.layers"));
  const double i = double(cfg.get_int("model.intermediate"));
  const double heads = double(cfg.get_int("model.heads"));
  const double positions = double(cfg.get_int("model.max-positions"));
  const double params = (vocab_size(cfg) + positions + 2) * h
                        + l * (4 * h * h + 2 * h * i + 9 * h + i) + h * h;
  const double shards = double(cfg.get_int("placement.shards"));
  const bool pretraining = !cfg.get_strings("pretrain.corpus").empty();
  const double t = double(cfg.get_int(pretraining ? "model.max-seq" : "data.max-len"));
  const double tokens = double(cfg.get_int("train.batch-size")) * t;
  const double activations = l * (tokens * (11 * h + 2 * i) + tokens / t * heads * t * t);
  return 4.0 * (params * (2 * shards + 3) + activations); // f32
}

std::string check_job_memory(const resolved_config& cfg) {
  if (!cfg.get_strings("cluster.nodes").empty())
    return "";
  const double needs = job_memory_bytes(cfg), limit = double(memory_limit_bytes());
  if (needs <= limit)
    return "";
  return "the job needs about " + bytes_text(needs) + " (model.hidden = "
         + std::to_string(cfg.get_int("model.hidden")) + ", model.layers = "
         + std::to_string(cfg.get_int("model.layers")) + ", model.intermediate = "
         + std::to_string(cfg.get_int("model.intermediate")) + ", train.batch-size = "
         + std::to_string(cfg.get_int("train.batch-size")) + ", placement.shards = "
         + std::to_string(cfg.get_int("placement.shards")) + "); this process may use "
         + bytes_text(limit) + ": make the model or the batch smaller, or place it on nodes";
}

} // namespace axon::config
