// Rows picked by index, and the adjoint: what the MLM head uses to compute only the
// positions with a target. Legend: R rows of the source, C columns, N picked rows.
#pragma once

#include "runtime/tensor.hpp"

#include <string_view>

namespace axon::ops {

/// Checks table (any shape with last dimension C: R = numel / C rows) and rows (N,C), f32,
/// and index (N) i32, all on `where`; returns R. Throws op_error naming `op`.
std::int64_t check_gather_rows(std::string_view op, const tensor& table, const tensor& rows,
                               const tensor& index, device where = device::cpu());

/// out (N,C): row k is row index[k] of inp (R,C). An index outside [0,R) is an op_error.
void gather_rows_forward(const tensor& out, const tensor& inp, const tensor& index);
/// dinp (R,C) row index[k] += dout (N,C) row k (repeated indices add up).
void gather_rows_backward(const tensor& dinp, const tensor& dout, const tensor& index);

} // namespace axon::ops
