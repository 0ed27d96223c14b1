// serve_model: what a model replica computes with: the class probabilities of a batch of
// texts and, for a model that fuses a KG, the entities linked in each. The `axon` command
// implements it over a trained run (apps/axon/serve_run_model); a replica owns one, so its
// activations are its own while replicas compute at once. A model that fuses a KG can have
// its texts linked by the serving graph's KG service: encode() gives each text's words,
// the service links them, classify(encoded, mentions) computes with those links. served_model describes the
// checkpoint a generation of replicas was loaded from (serve_models.hpp).
#pragma once

#include "actors/serve/messages.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace axon {

/// What a batch of texts gives: (n,K) f32 probabilities, row i for text i, and the
/// entities linked in each text (one list per text; empty when the model links none).
struct serve_output {
  tensor probabilities;
  std::vector<std::vector<msg::linked_entity>> entities;
};

/// A batch of texts encoded by a model, waiting for the KG's links in their words: the
/// basic words of each text (what the KG service links), and the model's own encoding
/// (a subclass of its own).
struct encoded_texts {
  virtual ~encoded_texts() = default;
  std::vector<std::vector<std::string>> words; // per text
};

class serve_model {
public:
  virtual ~serve_model() = default;
  /// The output for `texts` (n >= 1), computed as one batch (a model that fuses a KG links
  /// them itself). Throws std::exception with a message when it cannot.
  virtual serve_output classify(const std::vector<std::string>& texts) = 0;
  /// For a model that fuses a KG: `texts` encoded, their words to be linked by the KG
  /// service; null for a model that links nothing (use classify(texts)).
  virtual std::unique_ptr<encoded_texts> encode(const std::vector<std::string>& texts) {
    (void)texts;
    return nullptr;
  }
  /// The output of `texts` from encode(), with mentions[i] the KG's entity mentions in
  /// texts.words[i] (a kg_link_reply's rows). Throws as classify does.
  virtual serve_output classify(encoded_texts& texts,
                                const std::vector<std::vector<kg::mention>>& mentions) {
    (void)texts, (void)mentions;
    throw std::logic_error("serve_model: this model links no KG (encode() gave nothing)");
  }
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
