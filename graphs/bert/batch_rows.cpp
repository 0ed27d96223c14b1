// take_rows: row ranges of a batch, with per-range trimming of padding columns.
#include "graphs/bert/batch_rows.hpp"

#include "graphs/bert/mlm_head.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace axon::bert {

namespace {

// Rows [begin,end), columns [0,cols) of a (B,T) i32 tensor.
tensor copy_block(const tensor& t, std::int64_t begin, std::int64_t end, std::int64_t cols) {
  if (!t.defined())
    return {};
  const auto width = t.size(1);
  auto out = tensor::empty({end - begin, cols}, dtype::i32);
  for (auto r = begin; r < end; ++r)
    std::memcpy(out.data<std::int32_t>() + (r - begin) * cols, t.data<std::int32_t>() + r * width,
                cols * sizeof(std::int32_t));
  return out;
}

} // namespace

batch take_rows(const batch& in, std::int64_t begin, std::int64_t end, bool trim) {
  if (!in.ids.defined() || in.ids.rank() != 2 || begin < 0 || end <= begin || end > in.ids.size(0))
    throw std::invalid_argument("take_rows: rows [" + std::to_string(begin) + ","
                                + std::to_string(end) + ") of " + in.ids.describe());
  const auto width = in.ids.size(1);
  std::int64_t cols = width;
  if (trim && in.mask.defined()) {
    cols = 1;
    const auto* mask = in.mask.data<std::int32_t>();
    for (auto r = begin; r < end; ++r)
      for (auto c = width; c > cols; --c)
        if (mask[r * width + c - 1] != 0) {
          cols = c;
          break;
        }
  }
  batch out;
  out.ids = copy_block(in.ids, begin, end, cols);
  out.token_types = copy_block(in.token_types, begin, end, cols);
  out.mask = copy_block(in.mask, begin, end, cols);
  out.entities = copy_block(in.entities, begin, end, cols);
  if (in.labels.defined() && in.labels.rank() == 2) { // MLM: a label per position
    out.labels = copy_block(in.labels, begin, end, cols);
  } else if (in.labels.defined()) {
    out.labels = tensor::empty({end - begin}, dtype::i32);
    std::memcpy(out.labels.raw(), in.labels.data<std::int32_t>() + begin,
                (end - begin) * sizeof(std::int32_t));
  }
  return out;
}

batch take_documents(const batch& in, std::int64_t begin, std::int64_t end, bool trim) {
  const auto documents = batch_items(in);
  if (!in.offsets.defined() || begin < 0 || end <= begin || end > documents)
    throw std::invalid_argument("take_documents: documents [" + std::to_string(begin) + ","
                                + std::to_string(end) + ") of "
                                + std::to_string(documents));
  const auto* offsets = in.offsets.data<std::int32_t>();
  auto windows = in;
  windows.labels = tensor{}; // the documents' labels, cut below
  auto out = take_rows(windows, offsets[begin], offsets[end], trim);
  if (in.labels.defined())
    out.labels = in.labels.slice(begin, end).clone();
  out.offsets = tensor::empty({end - begin + 1}, dtype::i32);
  for (auto d = begin; d <= end; ++d)
    out.offsets.data<std::int32_t>()[d - begin] = offsets[d] - offsets[begin];
  return out;
}

std::int64_t batch_items(const batch& in) {
  if (in.offsets.defined())
    return in.offsets.size(0) - 1;
  return in.ids.defined() ? in.ids.size(0) : 0;
}

std::int64_t loss_terms(const batch& in) {
  if (!in.labels.defined())
    return 0;
  return in.labels.rank() == 2 ? count_targets(in.labels) : in.labels.size(0);
}

} // namespace axon::bert
