// serve_run_model: a model replica's serve_model over a trained run, exactly as `axon
// predict` computes (trained_run: the run's best checkpoint, its tokenizer and KG), each
// replica with its own copy of the weights and activations and the process's one
// compute pool.
#pragma once

#include "actors/serve/serve_model.hpp"
#include "apps/axon/trained_run.hpp"

#include <memory>
#include <string>
#include <vector>

namespace axon::app {

class serve_run_model : public serve_model {
public:
  /// Loads `run_dir` (trained_run::load: throws naming a missing or damaged file).
  serve_run_model(const std::string& run_dir, std::shared_ptr<compute_pool> pool);

  tensor probabilities(const std::vector<std::string>& texts) override;

  const trained_run& run() const { return run_; }
  /// The checkpoint's step, from its folder's name ("step-120"), or -1.
  std::int64_t step() const;

private:
  trained_run run_;
};

/// `replicas` models of `run_dir`, sharing a compute pool of core_count() threads.
std::vector<std::shared_ptr<serve_run_model>> load_replicas(const std::string& run_dir,
                                                            int replicas);

} // namespace axon::app
