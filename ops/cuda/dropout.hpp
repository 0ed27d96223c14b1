// Dropout on the GPU with the CPU's counter scheme (spec: ops/cpu/dropout.hpp): element i
// is kept iff uniform(philox(seed, counter = (i / 4, stream)))[i % 4] >= p, so a mask drawn
// on the GPU equals the CPU's bit for bit.
#pragma once

#include "ops/cpu/dropout.hpp"
#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out = inp * mask / (1 - p); out may alias inp. With p == 0 this copies.
void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec,
                     const op_stream& s);

/// Accumulates dinp += dout * mask / (1 - p).
void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec,
                      const op_stream& s);

/// y (+)= x * scale(first + i) for i in [0, n): the masking step, shared with attention
/// (whose probabilities are numbered by their flat index in (B,NH,T,T)).
void apply_dropout(float* y, const float* x, std::int64_t first, std::int64_t n,
                   const dropout_spec& spec, bool accumulate, const op_stream& s);

} // namespace axon::ops::cuda
