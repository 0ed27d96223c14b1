// Softmax over the last dimension on the GPU (spec: ops/cpu/softmax.hpp).
// Legend: N rows, V entries per row.
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out (...,V) = softmax of each row of inp; out may alias inp.
void softmax_forward(const tensor& out, const tensor& inp, const op_stream& s);

/// Accumulates dinp += out * (dout - sum(dout * out)) row by row.
void softmax_backward(const tensor& dinp, const tensor& dout, const tensor& out,
                      const op_stream& s);

} // namespace axon::ops::cuda
