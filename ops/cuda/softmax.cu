// Softmax kernels: one block per row (ops/cuda/softmax_rows.cuh).
#include "ops/cuda/softmax.hpp"

#include "ops/cuda/softmax_rows.cuh"
#include "ops/op_error.hpp"

namespace axon::ops::cuda {

namespace {

constexpr int row_threads = 128;

__global__ void softmax_forward_kernel(float* y, const float* x, std::int64_t v) {
  auto row = std::int64_t{blockIdx.x} * v;
  softmax_row(y + row, x + row, nullptr, v);
}

__global__ void softmax_backward_kernel(float* dx, const float* dy, const float* y,
                                        std::int64_t v) {
  auto row = std::int64_t{blockIdx.x} * v;
  softmax_row_backward(dx + row, dy + row, y + row, v, true);
}

std::int64_t rows_of(std::string_view op, const tensor& t) {
  require(t.defined() && t.rank() >= 1, op, "tensor is " + t.describe() + ", expected (...,V)");
  return t.size(-1) == 0 ? 0 : t.numel() / t.size(-1);
}

} // namespace

void softmax_forward(const tensor& out, const tensor& inp, const op_stream& s) {
  require_same("softmax_forward", "out", out, "inp", inp);
  require_on("softmax_forward", "inp", inp, s);
  require_on("softmax_forward", "out", out, s);
  auto rows = rows_of("softmax_forward", inp);
  if (rows == 0)
    return;
  softmax_forward_kernel<<<unsigned(rows), row_threads, 0, s.get()>>>(
    out.data<float>(), inp.data<float>(), inp.size(-1));
  check_launch("softmax_forward");
}

void softmax_backward(const tensor& dinp, const tensor& dout, const tensor& out,
                      const op_stream& s) {
  require_same("softmax_backward", "dinp", dinp, "out", out);
  require_same("softmax_backward", "dout", dout, "out", out);
  for (auto [name, t] : {std::pair{"dinp", &dinp}, {"dout", &dout}, {"out", &out}})
    require_on("softmax_backward", name, *t, s);
  auto rows = rows_of("softmax_backward", out);
  if (rows == 0)
    return;
  softmax_backward_kernel<<<unsigned(rows), row_threads, 0, s.get()>>>(
    dinp.data<float>(), dout.data<float>(), out.data<float>(), out.size(-1));
  check_launch("softmax_backward");
}

} // namespace axon::ops::cuda
