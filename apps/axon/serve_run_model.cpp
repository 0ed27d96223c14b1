// serve_run_model: see serve_run_model.hpp.
#include "apps/axon/serve_run_model.hpp"

#include "ops/cpu/cpu_kernels.hpp"
#include "runtime/compute_pool.hpp"

#include <filesystem>

namespace axon::app {

serve_run_model::serve_run_model(const std::string& run_dir, std::shared_ptr<compute_pool> pool)
  : run_{trained_run::load(run_dir)} {
  run_.pool = std::move(pool);
}

tensor serve_run_model::probabilities(const std::vector<std::string>& texts) {
  std::vector<data::tokenized_example> examples;
  examples.reserve(texts.size());
  for (const auto& text : texts)
    examples.push_back(run_.encode(text));
  return run_.probabilities(examples, examples.size()); // one batch, as the batcher formed it
}

std::int64_t serve_run_model::step() const {
  auto name = std::filesystem::path{run_.checkpoint}.filename().string();
  if (!name.starts_with("step-"))
    return -1;
  try {
    return std::stoll(name.substr(5));
  } catch (const std::exception&) {
    return -1;
  }
}

std::vector<std::shared_ptr<serve_run_model>> load_replicas(const std::string& run_dir,
                                                            int replicas) {
  ops::cpu_kernels(); // GEMM core, own loops, single-threaded BLAS: once, before any thread
  auto pool = std::make_shared<compute_pool>(core_count());
  std::vector<std::shared_ptr<serve_run_model>> out;
  for (int r = 0; r < replicas; ++r)
    out.push_back(std::make_shared<serve_run_model>(run_dir, pool));
  return out;
}

} // namespace axon::app
