// The first position of each sequence ([CLS]): what a classifier head without a pooler
// reads, and where its gradient goes back. Legend: B batch, T sequence, C hidden.
#pragma once

#include "runtime/tensor.hpp"

#include <string_view>

namespace axon::ops {

/// Checks seq (B,T,C) with T >= 1 and rows (B,C), both f32 on `where` (the CUDA op passes
/// its device); throws op_error naming `op` otherwise.
void check_first_rows(std::string_view op, const tensor& seq, const tensor& rows,
                      device where = device::cpu());

/// out (B,C) = inp[:,0,:] of inp (B,T,C).
void first_rows_forward(const tensor& out, const tensor& inp);
/// dinp[:,0,:] += dout, dinp (B,T,C), dout (B,C); the other rows are untouched.
void first_rows_backward(const tensor& dinp, const tensor& dout);

} // namespace axon::ops
