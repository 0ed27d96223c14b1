// serve_run_model: a model replica's serve_model over a trained run, exactly as `axon
// predict` computes (trained_run: the run's best checkpoint, its tokenizer and KG), each
// replica with its own copy of the weights and activations and the process's one
// compute pool. With a run that fuses a KG, each text's linked entities come with its
// probabilities (the entities `axon predict --json` shows).
#pragma once

#include "actors/serve/serve_model.hpp"
#include "apps/axon/trained_run.hpp"

#include <memory>
#include <string>
#include <vector>

namespace axon::app {

class serve_run_model : public serve_model {
public:
  /// Loads `run_dir` (trained_run::load: throws naming a missing or damaged file), from
  /// `checkpoint_folder` when given.
  serve_run_model(const std::string& run_dir, std::shared_ptr<compute_pool> pool,
                  const std::string& checkpoint_folder = "");

  serve_output classify(const std::vector<std::string>& texts) override;

  const trained_run& run() const { return run_; }
  /// The checkpoint's step, from its folder's name ("step-120"), or -1.
  std::int64_t step() const;
  /// What answers name: the run, the checkpoint, its step and the labels.
  served_model describe(const std::string& run_dir) const;

private:
  trained_run run_;
};

/// The compute pool every replica of the process shares (core_count() threads); sets up
/// the CPU kernels first.
std::shared_ptr<compute_pool> serve_compute_pool();

/// `replicas` models of `run_dir` (from `checkpoint_folder` when given, else the run's
/// best checkpoint), all of one checkpoint, sharing `pool`.
std::vector<std::shared_ptr<serve_run_model>> load_replicas(const std::string& run_dir,
                                                            int replicas,
                                                            std::shared_ptr<compute_pool> pool,
                                                            const std::string& checkpoint_folder = "");

} // namespace axon::app
