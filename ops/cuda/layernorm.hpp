// Layer normalisation over the last dimension on the GPU (spec: ops/cpu/layernorm.hpp).
// Legend: N rows (leading dims flattened), C normalised features.
#pragma once

#include "ops/cuda/op_stream.hpp"
#include "ops/grad_write.hpp"

namespace axon::ops::cuda {

/// out (...,C) = (inp - mean) * rstd * weight + bias; saves mean (N), rstd (N).
void layernorm_forward(const tensor& out, const tensor& mean, const tensor& rstd,
                       const tensor& inp, const tensor& weight, const tensor& bias, float eps,
                       const op_stream& s);

/// Accumulates dinp (or overwrites it), dweight (C), dbias (C).
void layernorm_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                        const tensor& dout, const tensor& inp, const tensor& weight,
                        const tensor& mean, const tensor& rstd, const op_stream& s,
                        grad_write dinp_write = grad_write::accumulate);

} // namespace axon::ops::cuda
