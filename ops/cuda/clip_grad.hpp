// Global-norm gradient clipping on the GPU (spec: ops/cpu/clip_grad.hpp).
#pragma once

#include "ops/cuda/op_stream.hpp"

#include <span>

namespace axon::ops::cuda {

/// Returns the L2 norm of all gradients together (before clipping); when it exceeds
/// max_norm, scales every gradient by max_norm / (norm + 1e-6). Waits for the stream (the
/// norm decides the scaling). max_norm <= 0 only measures.
float clip_grad_norm(std::span<const tensor> grads, float max_norm, const op_stream& s);

/// Sum of squares of one gradient, in double; waits for the stream.
double grad_sum_of_squares(const tensor& grad, const op_stream& s);

/// grad *= factor.
void scale_grad(const tensor& grad, float factor, const op_stream& s);

} // namespace axon::ops::cuda
