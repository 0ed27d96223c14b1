// serve_model: what a model replica computes with: the class probabilities of a batch of
// texts. The `axon` command implements it over a trained run (apps/axon/serve_run_model);
// a replica owns one, so its activations are its own while replicas compute at once.
#pragma once

#include "runtime/tensor.hpp"

#include <memory>
#include <string>
#include <vector>

namespace axon {

class serve_model {
public:
  virtual ~serve_model() = default;
  /// (n,K) f32 probabilities of `texts` (n >= 1), computed as one batch, row i for text i.
  /// Throws std::exception with a message when it cannot.
  virtual tensor probabilities(const std::vector<std::string>& texts) = 0;
};

using serve_model_ptr = std::shared_ptr<serve_model>;

} // namespace axon
