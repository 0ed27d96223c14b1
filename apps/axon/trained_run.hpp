// trained_run: a finished (or running) training run loaded back from its directory for
// prediction and evaluation: config.ini, labels.txt, vocab.txt and the best checkpoint's
// weights (the newest valid one when none is marked best), in a single-loop model.
#pragma once

#include "graphs/bert/bert_classifier.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/config/resolved_config.hpp"
#include "runtime/data/tokenized_examples.hpp"
#include "runtime/data/windows.hpp"
#include "runtime/data/wordpiece.hpp"
#include "runtime/kg/fusion_kg.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace axon::app {

struct trained_run {
  // Read-only once loaded, so replicas share them (replica).
  std::shared_ptr<const config::resolved_config> config;
  std::vector<std::string> labels;
  std::shared_ptr<const data::wordpiece_tokenizer> tokenizer;
  std::unique_ptr<bert::bert_classifier> model; // an inference model: no gradients
  std::shared_ptr<const kg::fusion_kg> kg; // the run's KG (RUN_DIR/kg), or null without fusion
  std::string checkpoint; // the folder the weights came from
  std::size_t max_len = 128; // data.max-len: truncated texts (data.long-text = truncate)
  std::optional<data::window_settings> windows; // data.long-text = chunk: documents as windows
  /// The compute threads of probabilities(), started by its first call and kept, so that
  /// a stream of small batches (`axon predict` on a terminal) does not start them anew;
  /// set before that call to share one pool (the model replicas of `axon serve`).
  std::shared_ptr<compute_pool> pool;

  /// Throws std::runtime_error naming the missing or damaged file. `checkpoint_folder`: that
  /// folder of the run, verified like any (a damaged one throws checkpoint_error; no
  /// fallback); empty: the best checkpoint, or the newest valid one when none is marked.
  /// The model computes on the host.
  static trained_run load(const std::string& run_dir, const std::string& checkpoint_folder = "");
  /// Another model of the same run computing with `on`, with activations of its own; its
  /// pool is not set. On this model's device its weights are this one's (shared, never
  /// copied: the model replicas of `axon serve` on one device hold one copy of the
  /// weights); on another device, a copy of them there.
  trained_run replica(const ops::compute& on) const;

  /// The most tokens of a text that reach the model: data.max-len, or with windows the
  /// tokens of data.max-chunks windows ([CLS] and [SEP] counted once).
  std::size_t max_tokens() const;
  /// [CLS] text [SEP] as the run tokenized its data (entities linked when it has a KG);
  /// with `linked`, the entities linked in it too (none without a KG).
  data::tokenized_example encode(std::string_view text,
                                 std::vector<kg::linked_entity>* linked = nullptr) const;
  /// [CLS] text [SEP] with its basic words kept (what a KG links), its entities not yet
  /// linked: encode() is link(tokenize(text), the run's KG's mentions in its words).
  data::tokenized_example tokenize(std::string_view text) const;
  /// Sets the token entities of `example` (from tokenize()) from `mentions`, the run's KG's
  /// entity mentions in its words (linked here or by a KG service); with `linked`, those
  /// entities as answers name them.
  void link(data::tokenized_example& example, const std::vector<kg::mention>& mentions,
            std::vector<kg::linked_entity>* linked) const;
  /// Class probabilities (rows, K) of tokenized examples, in batches of `batch_size`, on
  /// every core; with windows, each example is a document classified from its windows.
  tensor probabilities(const std::vector<data::tokenized_example>& examples,
                       std::size_t batch_size);
};

} // namespace axon::app
