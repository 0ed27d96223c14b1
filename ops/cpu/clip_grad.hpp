// Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_ with norm_type 2).
#pragma once

#include "runtime/tensor.hpp"

#include <span>

namespace axon::ops {

/// Returns the L2 norm of all gradients together (before clipping); when it exceeds
/// max_norm, scales every gradient by max_norm / (norm + 1e-6). max_norm <= 0 only measures.
float clip_grad_norm(std::span<const tensor> grads, float max_norm);

/// Sum of squares of one gradient, in double (the per-tensor part of the global norm:
/// optimizer slices compute theirs, then the total is sqrt of the sum).
double grad_sum_of_squares(const tensor& grad);

/// grad *= factor.
void scale_grad(const tensor& grad, float factor);

} // namespace axon::ops
