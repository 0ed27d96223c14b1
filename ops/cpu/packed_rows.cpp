#include "ops/cpu/packed_rows.hpp"

namespace axon::ops {

std::optional<packed_rows> pack_rows(const tensor& mask) {
  if (!mask.defined() || mask.rank() != 2 || mask.type() != dtype::i32 || !mask.where().is_cpu())
    return std::nullopt;
  packed_rows rows;
  rows.b = mask.size(0);
  rows.t = mask.size(1);
  const std::int32_t* m = mask.data<std::int32_t>();
  std::int64_t total = 0;
  for (std::int64_t r = 0; r < rows.b; ++r) {
    const std::int32_t* row = m + r * rows.t;
    std::int64_t length = 0;
    while (length < rows.t && row[length] != 0)
      ++length;
    for (auto j = length; j < rows.t; ++j)
      if (row[j] != 0)
        return std::nullopt; // a token after padding
    if (length == 0)
      return std::nullopt;   // attends to every key on the padded layout
    rows.starts.push_back(total);
    rows.lengths.push_back(length);
    total += length;
  }
  if (total == rows.b * rows.t)
    return std::nullopt;
  rows.index = tensor::empty({total}, dtype::i32);
  auto* index = rows.index.data<std::int32_t>();
  for (std::int64_t r = 0; r < rows.b; ++r)
    for (std::int64_t j = 0; j < rows.lengths[r]; ++j)
      *index++ = static_cast<std::int32_t>(r * rows.t + j);
  return rows;
}

} // namespace axon::ops
