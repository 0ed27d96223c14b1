// Dropout with a counter-based mask: element i of a tensor is kept iff
// uniform(philox(key = seed, counter = (i / 4, stream))) >= p, and kept values are scaled
// by 1 / (1 - p). The mask is a pure function of (seed, stream, i): backward regenerates
// it instead of storing it, and replicas that share seed and stream drop the same units.
#pragma once

#include "runtime/tensor.hpp"

#include <cstdint>

namespace axon::ops {

struct dropout_spec {
  float p = 0.0f;           // drop probability in [0, 1)
  std::uint64_t seed = 0;   // the run's seed
  std::uint64_t stream = 0; // distinct per (step, micro-batch, dropout site)
  bool active() const { return p > 0.0f; }
};

/// out = inp * mask / (1 - p); out may alias inp. With p == 0 this copies.
void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec);

/// Accumulates dinp += dout * mask / (1 - p).
void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec);

/// Dropout on packed rows (packed_rows.hpp): row r of inp and out (N,C) is row index[r] of a
/// padded (R,C) tensor, whose element offsets key the draws, so the rows get the padded
/// call's mask. out may alias inp.
void dropout_forward_rows(const tensor& out, const tensor& inp, const tensor& index,
                          const dropout_spec& spec);
/// Accumulates dinp += dout * mask / (1 - p) on packed rows, as dropout_forward_rows.
void dropout_backward_rows(const tensor& dinp, const tensor& dout, const tensor& index,
                           const dropout_spec& spec);
/// Writes the multipliers (0 or 1/(1-p)) of elements [first, first + count) to `scale`.
void dropout_scales(float* scale, std::int64_t first, std::int64_t count,
                    const dropout_spec& spec);

} // namespace axon::ops
