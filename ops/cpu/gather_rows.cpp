// gather_rows: row copies and their adjoint, row adds.
#include "ops/cpu/gather_rows.hpp"

#include "ops/op_error.hpp"

#include <algorithm>

namespace axon::ops {

std::int64_t check_gather_rows(std::string_view op, const tensor& table, const tensor& rows,
                               const tensor& index, device where) {
  require(rows.defined() && rows.rank() == 2, op,
          "rows is " + rows.describe() + ", expected (N,C)");
  const auto n = rows.size(0), c = rows.size(1);
  require_tensor(op, "rows", rows, {n, c}, dtype::f32, where);
  const auto r = require_rows(op, "table", table, c, dtype::f32, where);
  require_tensor(op, "index", index, {n}, dtype::i32, where);
  return r;
}

namespace {

// The index list, each checked against [0, r) (host indices only).
const std::int32_t* checked_index(std::string_view op, const tensor& index, std::int64_t r) {
  const auto* idx = index.data<std::int32_t>();
  const auto* bad = std::find_if(idx, idx + index.numel(),
                                 [r](std::int32_t k) { return k < 0 || k >= r; });
  require(bad == idx + index.numel(), op,
          "index " + std::to_string(bad == idx + index.numel() ? 0 : *bad) + " is outside [0, "
            + std::to_string(r) + ")");
  return idx;
}

} // namespace

void gather_rows_forward(const tensor& out, const tensor& inp, const tensor& index) {
  constexpr auto op = "gather_rows_forward";
  const auto r = check_gather_rows(op, inp, out, index);
  const auto* idx = checked_index(op, index, r);
  const auto c = out.size(1);
  const float* x = inp.data<float>();
  float* y = out.data<float>();
  for (std::int64_t k = 0; k < out.size(0); ++k)
    std::copy(x + std::int64_t{idx[k]} * c, x + std::int64_t{idx[k]} * c + c, y + k * c);
}

void gather_rows_backward(const tensor& dinp, const tensor& dout, const tensor& index) {
  constexpr auto op = "gather_rows_backward";
  const auto r = check_gather_rows(op, dinp, dout, index);
  const auto* idx = checked_index(op, index, r);
  const auto c = dout.size(1);
  float* dx = dinp.data<float>();
  const float* dy = dout.data<float>();
  for (std::int64_t k = 0; k < dout.size(0); ++k)
    for (std::int64_t j = 0; j < c; ++j)
      dx[std::int64_t{idx[k]} * c + j] += dy[k * c + j];
}

} // namespace axon::ops
