// batch sources: what a loader actor streams, as the job's one batch type (data::batch,
// with the stream's cursor after each batch). Two kinds: the examples of a labelled split
// (data::batcher: reshuffled each epoch, padded per batch) for classification, or with
// data.long-text = chunk its documents as windows (data::document_batcher), and a text
// corpus (data::mlm_stream: packed, masked sequences) for MLM pretraining. Plain C++, no
// actors: the loader actor wraps one, the pretraining supervisor reads its held-out one.
#pragma once

#include "runtime/data/batcher.hpp"
#include "runtime/data/document_batches.hpp"
#include "runtime/data/mlm_stream.hpp"

#include <memory>
#include <vector>

namespace axon {

class batch_source {
public:
  virtual ~batch_source() = default;
  /// The next batch; undefined ids when a held-out corpus stream is exhausted. Throws
  /// data::data_error when the data cannot give one.
  virtual data::batch next() = 0;
  /// Continues at `at` (a batch's `next`); throws data::data_error when it lies outside
  /// the data.
  virtual void restore(const data::stream_cursor& at) = 0;
  /// Where the next batch starts.
  virtual data::stream_cursor cursor() const = 0;
  /// Batches in an epoch; 0 for a corpus stream, whose passes are not counted ahead.
  virtual std::size_t batches_per_epoch() const = 0;
};

using examples_ptr = std::shared_ptr<const std::vector<data::tokenized_example>>;

/// The examples in batches (data::batcher with `options`).
std::unique_ptr<batch_source> example_batches(const examples_ptr& examples,
                                              const data::batcher_options& options);

/// Whole documents in batches of their windows (data::document_batcher with `options`).
std::unique_ptr<batch_source> document_batches(const examples_ptr& documents,
                                               const data::document_batch_options& options);

/// MLM batches of the corpus (data::mlm_stream with `options`): ids, attention mask and
/// (B,T) targets; no token types, entities or example rows.
std::unique_ptr<batch_source> corpus_batches(const data::corpus_options& corpus,
                                             std::shared_ptr<const data::wordpiece_tokenizer> tokenizer,
                                             const data::mlm_stream_options& options);

/// Real (non-padding) tokens of a batch: the ones of its attention mask.
std::int64_t real_tokens(const data::batch& b);

} // namespace axon
