// Dropout with a counter-based mask keyed by the example. Row b of a tensor (its index in
// dimension 0) belongs to the example keyed `first_example + b`; its elements are numbered
// by their draw offset within the example, and element (example, offset) is kept iff
// uniform(philox(key = seed, counter = (offset / 4, site, example)))[offset % 4] >= p; kept
// values are scaled by 1 / (1 - p). The mask is a pure function of (seed, site, example,
// offset): backward regenerates it instead of storing it, and an example drops the same
// units whichever shard, micro-batch, stage or device computes it, and however its batch is
// padded or packed.
//
// Draw offsets within an example:
//   - a row of a (B,...) tensor: its elements row-major, so hidden states (B,T,C) use
//     t*C + c and the head's (B,C) use c: the padded length T of the batch never enters;
//   - packed rows (packed_rows.hpp): the padded row's offsets (t*C + c);
//   - attention probabilities (B,NH,T,T): (h * S + i) * S + j with the fixed stride
//     S = attention_draw_stride, so T does not enter either.
#pragma once

#include "ops/cpu/packed_rows.hpp"
#include "runtime/host_device.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>

namespace axon::ops {

struct dropout_spec {
  float p = 0.0f;                  // drop probability in [0, 1)
  std::uint64_t seed = 0;          // the run's seed
  std::uint32_t site = 0;          // the dropout site of the model
  std::uint64_t first_example = 0; // the key of row 0's example; row b is first_example + b
  bool active() const { return p > 0.0f; }
};

/// The stride of attention's draw offsets: sequences up to this length, heads up to
/// max_draw_offset / S^2.
constexpr std::int64_t attention_draw_stride = 4096;
/// Draw offsets stay below this (the Philox block number is 32 bits).
constexpr std::int64_t max_draw_offset = std::int64_t{1} << 34;

/// The draw offset of attention probability (head h, query i, key j) of an example.
AXON_HOST_DEVICE inline std::int64_t attention_draw_offset(std::int64_t h, std::int64_t i,
                                                           std::int64_t j) {
  return (h * attention_draw_stride + i) * attention_draw_stride + j;
}

/// out = inp * mask / (1 - p); out may alias inp. With p == 0 this copies. Row b of
/// dimension 0 is example first_example + b.
void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec);

/// Accumulates dinp += dout * mask / (1 - p).
void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec);

/// Dropout on packed rows: row r of inp and out (N,C) is row rows.index[r] = b*T + t of the
/// padded (B,T,C) tensor, so it gets the padded call's draws (example b, offsets t*C + c).
/// out may alias inp.
void dropout_forward_rows(const tensor& out, const tensor& inp, const packed_rows& rows,
                          const dropout_spec& spec);
/// Accumulates dinp += dout * mask / (1 - p) on packed rows, as dropout_forward_rows.
void dropout_backward_rows(const tensor& dinp, const tensor& dout, const packed_rows& rows,
                           const dropout_spec& spec);
/// Writes the multipliers (0 or 1/(1-p)) of draw offsets [first, first + count) of row
/// `row`'s example (first_example + row) to `scale`.
void dropout_scales(float* scale, std::uint64_t row, std::int64_t first, std::int64_t count,
                    const dropout_spec& spec);

} // namespace axon::ops
