// Batches of whole documents as windows (data.long-text = chunk, docs/long-texts.md): the
// batcher's order, cursor and batch size over documents, each document cut into windows
// (windows.hpp) when its batch is made, so that a document's windows are consecutive rows
// and never split across batches. What the loader streams and evaluation reads in chunk
// mode; plain C++, no actors.
#pragma once

#include "runtime/data/batcher.hpp"
#include "runtime/data/windows.hpp"

#include <memory>

namespace axon::data {

struct document_batch_options {
  batcher_options batches;   // batch_size counts documents
  window_settings windows;
  std::int32_t cls_id = 0, sep_id = 0;
};

/// The documents (tokenized without truncation: [CLS] tokens [SEP]) in batches of windows:
/// ids, token types (0), mask (N,T) with T the batch's longest window, offsets (D+1),
/// labels and examples (D). The batch's window n keys its dropout draws as example
/// window_position + n with window_position = position * max_chunks, so keys of different batches of an epoch never meet (a
/// batch of D documents has at most D * max_chunks windows) and do not depend on how the
/// batch is later split into shards and micro-batches.
class document_batcher {
public:
  /// Throws data_error as data::batcher, std::invalid_argument for bad window settings.
  document_batcher(std::shared_ptr<const std::vector<tokenized_example>> documents,
                   const document_batch_options& options);

  batch next();
  std::size_t batches_per_epoch() const { return order_.batches_per_epoch(); }
  batcher_cursor cursor() const { return order_.cursor(); }
  void restore(const batcher_cursor& saved) { order_.restore(saved); }

private:
  std::shared_ptr<const std::vector<tokenized_example>> documents_;
  document_batch_options options_;
  batcher order_; // over one-token stand-ins of the documents: their order, labels, cursor
};

/// What chunking makes of `documents` (tokenized whole), for the job's log.
window_tally tally_windows(const std::vector<tokenized_example>& documents,
                           const window_settings& settings);

} // namespace axon::data
