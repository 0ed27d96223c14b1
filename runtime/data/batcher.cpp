// Batcher (see batcher.hpp). Epoch e's order is a Fisher-Yates shuffle of 0..N-1 driven
// by std::mt19937_64(derive_seed(seed, e)), so no generator state has to be saved.
#include "runtime/data/batcher.hpp"

#include "runtime/data/seeded_random.hpp"

#include <algorithm>
#include <numeric>

namespace axon::data {

batcher::batcher(std::vector<tokenized_example> examples, batcher_options options)
    : examples_(std::move(examples)), options_(options) {
  if (examples_.empty())
    throw data_error("batcher: no examples");
  if (options_.batch_size == 0)
    throw data_error("batcher: batch size must be at least 1");
  if (options_.drop_last && examples_.size() < options_.batch_size)
    throw data_error("batcher: fewer examples than one batch with drop_last");
  cursor_.seed = options_.seed;
}

std::size_t batcher::batches_per_epoch() const {
  const auto n = examples_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void batcher::prepare_epoch_order() {
  if (order_epoch_ == cursor_.epoch)
    return;
  order_.resize(examples_.size());
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  if (options_.shuffle) {
    std::mt19937_64 rng(derive_seed(cursor_.seed, cursor_.epoch));
    seeded_shuffle(order_, rng);
  }
  order_epoch_ = cursor_.epoch;
}

std::size_t batcher::epoch_end() const {
  return options_.drop_last ? examples_.size() / options_.batch_size * options_.batch_size
                            : examples_.size();
}

batch batcher::next() {
  const std::size_t epoch_end = this->epoch_end();
  if (cursor_.position >= epoch_end) {
    ++cursor_.epoch;
    cursor_.position = 0;
  }
  prepare_epoch_order();
  const std::size_t first = cursor_.position;
  const std::size_t rows = std::min(options_.batch_size, epoch_end - first);
  std::size_t longest = 0;
  for (std::size_t r = 0; r < rows; ++r)
    longest = std::max(longest, examples_[order_[first + r]].ids.size());

  const auto B = static_cast<std::int64_t>(rows), T = static_cast<std::int64_t>(longest);
  batch out;
  out.ids = tensor::empty({B, T}, dtype::i32);
  out.token_types = tensor::empty({B, T}, dtype::i32);
  out.attention_mask = tensor::empty({B, T}, dtype::i32);
  out.labels = tensor::empty({B}, dtype::i32);
  out.examples = tensor::empty({B}, dtype::i32);
  const bool linked = !examples_[order_[first]].entities.empty();
  if (linked)
    out.entities = tensor::empty({B, T}, dtype::i32);
  out.epoch = cursor_.epoch;
  out.position = first;
  auto* ids = out.ids.data<std::int32_t>();
  auto* types = out.token_types.data<std::int32_t>();
  auto* mask = out.attention_mask.data<std::int32_t>();
  for (std::size_t r = 0; r < rows; ++r) {
    const auto& example = examples_[order_[first + r]];
    const std::size_t length = example.ids.size();
    std::copy(example.ids.begin(), example.ids.end(), ids + r * longest);
    std::fill(ids + r * longest + length, ids + (r + 1) * longest, options_.pad_id);
    std::copy(example.token_types.begin(), example.token_types.end(), types + r * longest);
    std::fill(types + r * longest + length, types + (r + 1) * longest, 0);
    std::fill(mask + r * longest, mask + r * longest + length, 1);
    std::fill(mask + r * longest + length, mask + (r + 1) * longest, 0);
    out.labels.data<std::int32_t>()[r] = example.label;
    out.examples.data<std::int32_t>()[r] = static_cast<std::int32_t>(order_[first + r]);
    if (linked) {
      auto* entities = out.entities.data<std::int32_t>() + r * longest;
      std::copy(example.entities.begin(), example.entities.end(), entities);
      std::fill(entities + example.entities.size(), entities + longest, -1);
    }
  }
  cursor_.position = first + rows;
  out.next = {cursor_.epoch, cursor_.position};
  out.last_in_epoch = at_epoch_end();
  return out;
}

void batcher::restore(const batcher_cursor& saved) {
  if (saved.position > examples_.size())
    throw data_error("batcher: cursor position " + std::to_string(saved.position) +
                     " is past the " + std::to_string(examples_.size()) + " examples");
  cursor_ = saved;
}

} // namespace axon::data
