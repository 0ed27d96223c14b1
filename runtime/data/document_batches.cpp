// document_batcher: see document_batches.hpp.
#include "runtime/data/document_batches.hpp"

#include <algorithm>

namespace axon::data {

namespace {

// One-token stand-ins with the documents' labels: the batcher orders and counts them.
std::vector<tokenized_example> stand_ins(const std::vector<tokenized_example>& documents) {
  std::vector<tokenized_example> out(documents.size());
  for (std::size_t k = 0; k < documents.size(); ++k)
    out[k] = {{0}, {0}, documents[k].label, {}, {}, {}};
  return out;
}

// A document's word pieces: its ids without [CLS] and [SEP].
std::span<const std::int32_t> pieces_of(const tokenized_example& document) {
  std::span<const std::int32_t> ids{document.ids};
  return ids.size() >= 2 ? ids.subspan(1, ids.size() - 2) : ids.subspan(0, 0);
}

} // namespace

document_batcher::document_batcher(std::shared_ptr<const std::vector<tokenized_example>> documents,
                                   const document_batch_options& options)
  : documents_(std::move(documents)), options_(options),
    order_(stand_ins(*documents_), options.batches) {
  options_.windows.validate();
}

batch document_batcher::next() {
  auto picked = order_.next();
  const auto documents = picked.labels.size(0);
  std::vector<windowed_document> windowed;
  windowed.reserve(std::size_t(documents));
  std::size_t rows = 0, longest = 0;
  // Document d of the batch.
  auto document_of = [&](std::int64_t d) -> const tokenized_example& {
    return documents_->at(std::size_t(picked.examples.data<std::int32_t>()[d]));
  };
  for (std::int64_t d = 0; d < documents; ++d) {
    const auto& document = document_of(d);
    windowed.push_back(
      make_windows(pieces_of(document), options_.windows, options_.cls_id, options_.sep_id));
    for (const auto& window : windowed.back().windows)
      longest = std::max(longest, window.ids.size());
    rows += windowed.back().windows.size();
  }
  const auto N = std::int64_t(rows), T = std::int64_t(longest);
  batch out;
  out.ids = tensor::full({N, T}, float(options_.batches.pad_id)).to(dtype::i32);
  out.token_types = tensor::zeros({N, T}, dtype::i32);
  out.attention_mask = tensor::zeros({N, T}, dtype::i32);
  out.offsets = tensor::empty({documents + 1}, dtype::i32);
  // Documents linked to the KG (predict, eval and serve of a KG run): their windows'
  // entities, from each document's entities per token.
  const bool linked = documents > 0 && !document_of(0).entities.empty();
  if (linked)
    out.entities = tensor::empty({N, T}, dtype::i32);
  auto* ids = out.ids.data<std::int32_t>();
  auto* mask = out.attention_mask.data<std::int32_t>();
  auto* offsets = out.offsets.data<std::int32_t>();
  std::int64_t row = 0;
  offsets[0] = 0;
  for (std::int64_t d = 0; d < documents; ++d) {
    if (linked) {
      std::vector<window_span> spans;
      for (const auto& window : windowed[std::size_t(d)].windows)
        spans.push_back(window.span);
      window_rows_of(document_of(d).entities, spans,
                     out.entities.data<std::int32_t>() + row * T, std::size_t(T));
    }
    for (const auto& window : windowed[std::size_t(d)].windows) {
      std::copy(window.ids.begin(), window.ids.end(), ids + row * T);
      std::fill(mask + row * T, mask + row * T + std::int64_t(window.ids.size()), 1);
      ++row;
    }
    offsets[d + 1] = std::int32_t(row);
  }
  out.labels = picked.labels;
  out.examples = picked.examples;
  out.epoch = picked.epoch;
  out.position = picked.position;
  out.window_position = picked.position * options_.windows.max_chunks;
  out.next = picked.next;
  out.last_in_epoch = picked.last_in_epoch;
  return out;
}

window_tally tally_windows(const std::vector<tokenized_example>& documents,
                           const window_settings& settings) {
  window_tally tally;
  for (const auto& document : documents)
    tally.add(make_windows(pieces_of(document), settings, 0, 0));
  return tally;
}

} // namespace axon::data
