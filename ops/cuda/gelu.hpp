// GELU on the GPU, exact erf form (spec: ops/cpu/gelu.hpp).
#pragma once

#include "ops/cuda/op_stream.hpp"
#include "ops/grad_write.hpp"

namespace axon::ops::cuda {

/// out = gelu(inp); same shape (may be the same tensor).
void gelu_forward(const tensor& out, const tensor& inp, const op_stream& s);

/// Accumulates dinp += dout * gelu'(inp) (or overwrites).
void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp,
                   const op_stream& s, grad_write dinp_write = grad_write::accumulate);

} // namespace axon::ops::cuda
