// Euclidean distances, the score of TransE (score = -||h + r - t||):
//   pairwise:  dist[b,k] = || q[b] - cand[k] ||   (every query against shared candidates)
//   rowwise:   dist[b]   = || q[b] - target[b] || (each query against its own row)
// Legend: B queries, K candidates, D embedding width.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// dist (B,K); q (B,D); cand (K,D). Uses |q|^2 + |c|^2 - 2 q.c (a GEMM), clamped at
/// 1e-12 before the square root.
void l2_distance_pairwise_forward(const tensor& dist, const tensor& q, const tensor& cand);
/// Accumulates dq (B,D) and dcand (K,D) from ddist (B,K); dist is the forward output.
/// Either gradient may be undefined (not needed).
void l2_distance_pairwise_backward(const tensor& dq, const tensor& dcand, const tensor& ddist,
                                   const tensor& q, const tensor& cand, const tensor& dist);

/// dist (B); q (B,D); target (B,D).
void l2_distance_rowwise_forward(const tensor& dist, const tensor& q, const tensor& target);
/// Accumulates dq (B,D) += ddist * (q - target) / dist and dtarget (B,D) -= the same.
void l2_distance_rowwise_backward(const tensor& dq, const tensor& dtarget, const tensor& ddist,
                                  const tensor& q, const tensor& target, const tensor& dist);

} // namespace axon::ops
