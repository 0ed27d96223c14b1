// serve_model: what a model replica computes with: the class probabilities of a batch of
// texts and, for a model that fuses a KG, the entities linked in each. The `axon` command
// implements it over a trained run (apps/axon/serve_run_model); a replica owns one, so its
// activations are its own while replicas compute at once. served_model describes the
// checkpoint a generation of replicas was loaded from (serve_models.hpp).
#pragma once

#include "actors/serve/messages.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace axon {

/// What a batch of texts gives: (n,K) f32 probabilities, row i for text i, and the
/// entities linked in each text (one list per text; empty when the model links none).
struct serve_output {
  tensor probabilities;
  std::vector<std::vector<msg::linked_entity>> entities;
};

class serve_model {
public:
  virtual ~serve_model() = default;
  /// The output for `texts` (n >= 1), computed as one batch. Throws std::exception with a
  /// message when it cannot.
  virtual serve_output classify(const std::vector<std::string>& texts) = 0;
};

using serve_model_ptr = std::shared_ptr<serve_model>;

/// The checkpoint a generation of models serves, as answers name it: the run directory,
/// the checkpoint folder, its step (-1: unknown) and the run's labels (column k of the
/// probabilities is labels[k]).
struct served_model {
  std::string run, checkpoint;
  std::int64_t step = -1;
  std::vector<std::string> labels;
};

} // namespace axon
