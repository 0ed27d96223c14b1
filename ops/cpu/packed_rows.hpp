// Packed rows: the real tokens of a padded (B,T) batch back to back, so that the row-wise
// ops (linear, LayerNorm, GELU, dropout) and attention skip the padding. Legend: B batch,
// T sequence, N = the number of real tokens.
#pragma once

#include "runtime/tensor.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace axon::ops {

struct packed_rows {
  std::int64_t b = 0, t = 0;          // the padded layout
  std::vector<std::int64_t> starts;   // (B) first packed row of each sequence
  std::vector<std::int64_t> lengths;  // (B) its tokens
  tensor index;                       // (N) i32: packed row -> row b*T + j of the padded layout
  std::int64_t count() const { return index.numel(); }
};

/// The packing of a (B,T) i32 mask whose every row is 1s then 0s with at least one 1 (the
/// tokenizer's batches: padding at the end). nullopt when there is no padding (nothing to
/// skip) or the mask has another form (callers then compute on the padded layout).
std::optional<packed_rows> pack_rows(const tensor& mask);

} // namespace axon::ops
