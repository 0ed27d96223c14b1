// serve_run_model: a model replica's serve_model over a trained run, exactly as `axon
// predict` computes (trained_run: the run's best checkpoint, its tokenizer and KG), the
// replicas of one process sharing one copy of the weights, each with its own activations,
// and the process's one compute pool. With a run that fuses a KG, each text's linked entities come with its
// probabilities (the entities `axon predict --json` shows).
#pragma once

#include "actors/kg/messages.hpp"
#include "actors/serve/node_replica.hpp"
#include "actors/serve/serve_model.hpp"
#include "apps/axon/replica_places.hpp"
#include "apps/axon/trained_run.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace axon::app {

class serve_run_model : public serve_model {
public:
  /// Loads `run_dir` (trained_run::load: throws naming a missing or damaged file), from
  /// `checkpoint_folder` when given, to compute where `on` says (throws naming a device
  /// out of reach).
  serve_run_model(const std::string& run_dir, std::shared_ptr<compute_pool> pool,
                  const std::string& checkpoint_folder = "", const replica_compute& on = {});
  /// Another replica of `first`'s model computing where `on` says, with its own
  /// activations: on `first`'s device the same weights (shared), else a copy of them.
  serve_run_model(const serve_run_model& first, std::shared_ptr<compute_pool> pool,
                  const replica_compute& on);

  serve_output classify(const std::vector<std::string>& texts) override;
  /// With a run that fuses a KG: the texts tokenized as the run does, their words to link.
  std::unique_ptr<encoded_texts> encode(const std::vector<std::string>& texts) override;
  serve_output classify(encoded_texts& texts,
                        const std::vector<std::vector<kg::mention>>& mentions) override;

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

/// The models of one generation: one per replica, null for a replica on a node process
/// (it loads its own, node_replica.hpp), what they serve, and with a run that fuses a KG,
/// the setup of the serving graph's KG service (the run's saved KG; no embedding table).
struct loaded_replicas {
  std::vector<serve_model_ptr> models;
  served_model info;
  std::optional<kg_service_setup> kg;
};

/// The models of `run_dir` (from `checkpoint_folder` when given, else the run's best
/// checkpoint) for the replicas in this process, all of one checkpoint, sharing `pool`:
/// the replicas on one device share one copy of the weights. One model is loaded on the
/// host even when every replica runs on a node or a GPU: loading verifies the checkpoint
/// (a damaged one throws, naming the file) and says what it serves. Throws as
/// serve_run_model does.
loaded_replicas load_replicas(const std::string& run_dir, const replica_places& places,
                              std::shared_ptr<compute_pool> pool,
                              const std::string& checkpoint_folder = "");

/// What a node process's replicas load their models with: a serve_run_model of the run and
/// checkpoint their setup names, on the device it names, all of the node's replicas
/// sharing one compute pool.
serve_model_loader node_model_loader();

} // namespace axon::app
