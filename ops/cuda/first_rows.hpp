// The [CLS] rows on the GPU (spec: ops/cpu/first_rows.hpp). Legend: B batch, T sequence,
// C hidden.
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out (B,C) = inp[:,0,:] of inp (B,T,C).
void first_rows_forward(const tensor& out, const tensor& inp, const op_stream& s);
/// dinp[:,0,:] += dout, dinp (B,T,C), dout (B,C).
void first_rows_backward(const tensor& dinp, const tensor& dout, const op_stream& s);

} // namespace axon::ops::cuda
