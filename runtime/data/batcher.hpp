// Batches of tokenized examples for training: the order is reshuffled each epoch from
// the seed, each batch is padded to its longest row (dynamic padding), and the cursor
// (epoch, position, seed: plain integers) restores the exact batch sequence on resume.
// The plain C++ part that the loader actor wraps.
#pragma once

#include "runtime/data/tokenized_examples.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>
#include <vector>

namespace axon::data {

/// B rows padded to T = the longest row of the batch.
struct batch {
  tensor ids;            // i32 (B,T), padding = pad_id
  tensor token_types;    // i32 (B,T), padding = 0
  tensor attention_mask; // i32 (B,T), 1 for tokens, 0 for padding
  tensor labels;         // i32 (B)
  tensor entities;       // i32 (B,T) KG entity id per token, -1 none and padding;
                         // undefined when the examples carry no entities
  tensor examples;       // i32 (B) index of each row's example in the split (the ledger)
  std::uint64_t epoch = 0;
  std::uint64_t position = 0; // index of the batch's first example in the epoch's order
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
