// BERT pooler on the GPU (spec: ops/cpu/pooler.hpp): the [CLS] rows through dense + tanh.
// Legend: B batch, T sequence, C hidden.
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out (B,C) = tanh(inp[:,0,:] @ weight^T + bias); inp (B,T,C), weight (C,C), bias (C).
void pooler_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const op_stream& s);
/// Accumulates dinp (B,T,C) (row 0 of each sequence only), dweight, dbias.
void pooler_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const tensor& out, const op_stream& s);

} // namespace axon::ops::cuda
