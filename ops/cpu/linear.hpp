// Linear layer (PyTorch / Hugging Face layout): out = inp @ weight^T + bias.
// Legend: N rows (any leading dims flattened, e.g. B*T), C in features, OC out features.
#pragma once

#include "ops/grad_write.hpp"
#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (...,OC) = inp (...,C) @ weight (OC,C)^T + bias (OC); bias may be undefined.
void linear_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias);

/// Accumulates: dinp (...,C) += dout @ weight; dweight (OC,C) += dout^T @ inp;
/// dbias (OC) += column sums of dout. dinp and dbias may be undefined (not needed).
/// dout (...,OC), inp (...,C), weight (OC,C).
/// dinp_write = overwrite: dinp = dout @ weight instead of +=.
void linear_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     grad_write dinp_write = grad_write::accumulate);

} // namespace axon::ops
