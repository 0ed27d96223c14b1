// Softmax over the last dimension. Legend: N rows, V entries per row.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (...,V) = exp(inp - max) / sum(exp(inp - max)) row by row; out may alias inp.
void softmax_forward(const tensor& out, const tensor& inp);

/// Accumulates dinp += out * (dout - sum(dout * out)) row by row: with y = softmax(x),
/// dy_j/dx_i = y_j (delta_ij - y_i), so the Jacobian-vector product needs only y.
void softmax_backward(const tensor& dinp, const tensor& dout, const tensor& out);

/// Row kernels shared with attention. `count` entries; softmax_row_backward accumulates.
void softmax_row(float* out, const float* inp, std::int64_t count);
void softmax_row_backward(float* dinp, const float* dout, const float* out, std::int64_t count);

} // namespace axon::ops
