// Rows picked by index on the GPU (spec: ops/cpu/gather_rows.hpp). An index outside the
// table is not read; it is flagged on the device and reported by the next synchronize().
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out (N,C): row k is row index[k] of inp (R,C).
void gather_rows_forward(const tensor& out, const tensor& inp, const tensor& index,
                         const op_stream& s);
/// dinp (R,C) row index[k] += dout (N,C) row k (atomic adds: repeated indices add up).
void gather_rows_backward(const tensor& dinp, const tensor& dout, const tensor& index,
                          const op_stream& s);

} // namespace axon::ops::cuda
