// Layer normalisation over the last dimension (BERT: eps 1e-12).
// Legend: N rows (leading dims flattened), C normalised features.
#pragma once

#include "ops/grad_write.hpp"
#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (...,C) = (inp - mean) * rstd * weight + bias; saves mean (N) and rstd (N) for
/// backward, rstd = 1 / sqrt(var + eps) with the biased variance. inp (...,C),
/// weight (C), bias (C).
void layernorm_forward(const tensor& out, const tensor& mean, const tensor& rstd,
                       const tensor& inp, const tensor& weight, const tensor& bias, float eps);

/// Accumulates dinp (...,C), dweight (C), dbias (C). With xhat = (x - mean) * rstd and
/// g = dout * weight: dinp = rstd * (g - mean(g) - xhat * mean(g * xhat)).
/// dinp_write = overwrite: dinp = ... instead of +=.
void layernorm_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                        const tensor& dout, const tensor& inp, const tensor& weight,
                        const tensor& mean, const tensor& rstd,
                        grad_write dinp_write = grad_write::accumulate);

} // namespace axon::ops
