// One R-GCN-style message-passing layer (Schlichtkrull et al. 2018) with a residual: every
// entity adds its neighbours' vectors, each through the transform of the edge's kind:
//   out[i] = x[i] + sum over edges m with dst[m] = i of  norm[m] * W[kind[m]] x[src[m]]
// (a KG relation and its inverse are two kinds; norm is 1 / the number of edges of that
// kind into dst, so each kind contributes a mean).
// Legend: E entities, D width, K edge kinds, M edges.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (E,D) = x + messages; x (E,D); weight (K,D,D); edges (M,3) i32 rows [src, kind,
/// dst]; norm (M).
void rgcn_forward(const tensor& out, const tensor& x, const tensor& weight, const tensor& edges,
                  const tensor& norm);

/// Accumulates dx (E,D) (dout itself, through the residual, plus each edge's W^T dout[dst]
/// at src) and dweight (K,D,D) from dout (E,D).
void rgcn_backward(const tensor& dx, const tensor& dweight, const tensor& dout, const tensor& x,
                   const tensor& weight, const tensor& edges, const tensor& norm);

} // namespace axon::ops
