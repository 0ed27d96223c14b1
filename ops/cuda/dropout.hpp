// Dropout on the GPU with the CPU's draws (spec: ops/cpu/dropout.hpp): row b of a tensor is
// example first_example + b, and its element at draw offset o is kept iff
// uniform(philox(seed, counter = (o / 4, site, example)))[o % 4] >= p, so a mask drawn on
// the GPU equals the CPU's bit for bit.
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

/// y (+)= x * scale over `rows` rows of `per_row` elements each (row r: example
/// first_example + r, draw offsets 0 .. per_row-1).
void apply_dropout(float* y, const float* x, std::int64_t rows, std::int64_t per_row,
                   const dropout_spec& spec, bool accumulate, const op_stream& s);

/// y (+)= x * scale over attention probabilities (B,NH,T,T): element (b,h,i,j) draws at
/// offset attention_draw_offset(h, i, j) of example first_example + b, as the CPU op.
void apply_attention_dropout(float* y, const float* x, std::int64_t b, std::int64_t nh,
                             std::int64_t t, const dropout_spec& spec, bool accumulate,
                             const op_stream& s);

} // namespace axon::ops::cuda
