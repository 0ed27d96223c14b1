// Linear layer on the GPU (spec: ops/cpu/linear.hpp): out = inp @ weight^T + bias.
// Legend: N rows (leading dims flattened), C in features, OC out features.
#pragma once

#include "ops/cuda/op_stream.hpp"
#include "ops/grad_write.hpp"

namespace axon::ops::cuda {

/// out (...,OC) = inp (...,C) @ weight (OC,C)^T + bias (OC); bias may be undefined.
void linear_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const op_stream& s);

/// Accumulates dinp (...,C) (or overwrites it), dweight (OC,C), dbias (OC); dinp and
/// dbias may be undefined.
void linear_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const op_stream& s, grad_write dinp_write = grad_write::accumulate);

} // namespace axon::ops::cuda
