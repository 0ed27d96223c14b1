// The one batch type of a job (data::batch: tensors and the stream's cursor after it, from
// the loader through the supervisor to the coordinator, which cuts it into micro-batches)
// and the batcher, which makes such batches of tokenized examples for training: the order
// is reshuffled each epoch from the seed, each batch is padded to its longest row (dynamic
// padding), and the cursor (epoch, position, seed: plain integers) restores the exact
// batch sequence on resume. The plain C++ part that the loader actor wraps; the batch's
// CAF inspect overload and type id are the BERT module's (actors/bert/messages.hpp).
#pragma once

#include "runtime/data/tokenized_examples.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>
#include <vector>

namespace axon::data {

/// Where a batch stream continues: what a checkpoint keeps and a loader restores. The
/// batcher uses epoch and position; a corpus stream (pretraining) all of them.
struct stream_cursor {
  std::uint64_t epoch = 0;    // batcher: the epoch; corpus: passes completed
  std::uint64_t position = 0; // batcher: examples into the epoch's order; corpus: sequences
                              // produced (the masking stream)
  std::uint64_t file = 0, offset = 0; // corpus: the document the next sequence starts in
  std::uint64_t skip_tokens = 0;      // corpus: its tokens already packed
  bool operator==(const stream_cursor&) const = default;
};

/// B rows padded to T = the longest row of the batch, and where the stream stands after it.
struct batch {
  tensor ids;            // i32 (B,T), padding = pad_id
  tensor token_types;    // i32 (B,T), padding = 0; undefined: all type 0 (MLM)
  tensor attention_mask; // i32 (B,T), 1 for tokens, 0 for padding
  tensor labels;         // i32 (B) classes, or (B,T) MLM targets (-100: none); undefined:
                         // predict only
  tensor entities;       // i32 (B,T) KG entity id per token, -1 none and padding;
                         // undefined when the examples carry no entities
  tensor examples;       // i32 (B) index of each row's example in the split (the ledger);
                         // undefined for corpus batches
  std::uint64_t epoch = 0;    // the epoch (corpus pass) of its first row
  std::uint64_t position = 0; // index of the batch's first example in the epoch's order
  stream_cursor next;         // the stream's cursor after this batch
  bool last_in_epoch = false; // the epoch's last batch (never, for a corpus stream)
  // Long documents (data.long-text = chunk): the rows are windows, document d's windows
  // rows offsets[d] .. offsets[d+1] of (D+1) i32 offsets; labels and examples are then the
  // documents' (D), and `position` counts documents. Undefined: a row is an example.
  tensor offsets{};
  std::uint64_t window_position = 0; // documents: the dropout key of the batch's first
                                     // window; its window n is window_position + n
};

/// Where the batcher stands: the next batch starts at `position` of epoch `epoch`'s order,
/// which is a function of `seed` and `epoch` alone.
struct batcher_cursor {
  std::uint64_t epoch = 0;
  std::uint64_t position = 0;
  std::uint64_t seed = 0;
  bool operator==(const batcher_cursor&) const = default;
};

struct batcher_options {
  std::size_t batch_size = 32;
  std::uint64_t seed = 0;
  bool shuffle = true;    // false: file order every epoch (evaluation)
  bool drop_last = false; // drop the epoch's last batch when it is smaller
  std::int32_t pad_id = 0;
};

class batcher {
public:
  /// Throws data_error for no examples or batch_size 0.
  batcher(std::vector<tokenized_example> examples, batcher_options options);

  /// The next batch; after the epoch's last one, the next epoch begins.
  batch next();
  std::size_t batches_per_epoch() const;
  /// True when the batch just returned was the epoch's last.
  bool at_epoch_end() const { return cursor_.position >= epoch_end(); }

  batcher_cursor cursor() const { return cursor_; }
  /// Continues from a saved cursor; throws data_error if it lies outside the data.
  void restore(const batcher_cursor& saved);

private:
  /// Examples used per epoch (all, or whole batches only with drop_last).
  std::size_t epoch_end() const;
  /// The example order of epoch `cursor_.epoch`, recomputed when the epoch changes.
  void prepare_epoch_order();

  std::vector<tokenized_example> examples_;
  batcher_options options_;
  batcher_cursor cursor_;
  std::vector<std::size_t> order_;
  std::uint64_t order_epoch_ = UINT64_MAX;
};

} // namespace axon::data
