// BERT pooler: the [CLS] (first) position of each sequence through dense + tanh.
// Legend: B batch, T sequence, C hidden.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (B,C) = tanh(inp[:,0,:] @ weight^T + bias); inp (B,T,C), weight (C,C), bias (C).
void pooler_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias);

/// Accumulates dinp (B,T,C) (row 0 of each sequence only), dweight, dbias, using
/// tanh'(z) = 1 - tanh(z)^2 = 1 - out^2.
void pooler_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const tensor& out);

} // namespace axon::ops
