// first_rows: a strided copy and its adjoint.
#include "ops/cpu/first_rows.hpp"

#include "ops/op_error.hpp"

#include <algorithm>

namespace axon::ops {

void check_first_rows(std::string_view op, const tensor& seq, const tensor& rows, device where) {
  require(seq.defined() && seq.rank() == 3 && seq.size(1) > 0, op,
          "the sequence tensor is " + seq.describe() + ", expected (B,T,C) with T >= 1");
  require_tensor(op, "sequence", seq, {seq.size(0), seq.size(1), seq.size(2)}, dtype::f32, where);
  require_tensor(op, "rows", rows, {seq.size(0), seq.size(2)}, dtype::f32, where);
}

void first_rows_forward(const tensor& out, const tensor& inp) {
  check_first_rows("first_rows_forward", inp, out);
  const auto b = inp.size(0), t = inp.size(1), c = inp.size(2);
  const float* x = inp.data<float>();
  float* y = out.data<float>();
  for (std::int64_t r = 0; r < b; ++r)
    std::copy(x + r * t * c, x + r * t * c + c, y + r * c);
}

void first_rows_backward(const tensor& dinp, const tensor& dout) {
  check_first_rows("first_rows_backward", dinp, dout);
  const auto b = dinp.size(0), t = dinp.size(1), c = dinp.size(2);
  float* dx = dinp.data<float>();
  const float* dy = dout.data<float>();
  for (std::int64_t r = 0; r < b; ++r)
    for (std::int64_t k = 0; k < c; ++k)
      dx[r * t * c + k] += dy[r * c + k];
}

} // namespace axon::ops
