// GELU, exact (erf) form as BERT: gelu(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)).
#pragma once

#include "ops/grad_write.hpp"
#include "runtime/tensor.hpp"

namespace axon::ops {

/// out = gelu(inp); out and inp have the same shape (may be the same tensor).
void gelu_forward(const tensor& out, const tensor& inp);

/// Accumulates dinp += dout * gelu'(inp), gelu'(x) = Phi(x) + x * phi(x) (or overwrites).
void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp,
                   grad_write dinp_write = grad_write::accumulate);

} // namespace axon::ops
