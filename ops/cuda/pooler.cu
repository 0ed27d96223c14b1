// Pooler: GEMMs read the [CLS] rows in place (row b at inp + b*T*C: leading dimension
// T*C), as the CPU op does; bias + tanh and tanh' are elementwise kernels.
#include "ops/cuda/pooler.hpp"

#include "ops/cpu/first_rows.hpp"
#include "ops/cuda/column_sums.hpp"
#include "ops/cuda/gemm.hpp"
#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"

namespace axon::ops::cuda {

namespace {

// y = tanh(y + bias[column]) over (rows, cols).
__global__ void bias_tanh_kernel(float* y, const float* bias, std::int64_t n, std::int64_t cols) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = tanhf(y[i] + bias[i % cols]);
}

// dz = dy * (1 - y^2).
__global__ void tanh_backward_kernel(float* dz, const float* dy, const float* y, std::int64_t n) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n)
    dz[i] = dy[i] * (1.0f - y[i] * y[i]);
}

void check(std::string_view op, const tensor& inp, const tensor& rows, const tensor& weight,
           const op_stream& s) {
  check_first_rows(op, inp, rows, s.where());
  const auto c = inp.size(2);
  require_tensor(op, "weight", weight, {c, c}, dtype::f32, s.where());
}

} // namespace

void pooler_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const op_stream& s) {
  constexpr auto op = "pooler_forward";
  check(op, inp, out, weight, s);
  const auto b = inp.size(0), t = inp.size(1), c = inp.size(2);
  require_tensor(op, "bias", bias, {c}, dtype::f32, s.where());
  // out (B,C) = cls (B,C; ld T*C) @ weight^T
  gemm(s, b, c, c, 1.0f, {inp.data<float>(), t * c}, {weight.data<float>(), c, true}, 0.0f,
       {out.data<float>(), c});
  if (b * c == 0)
    return;
  bias_tanh_kernel<<<blocks_for(b * c), threads_per_block, 0, s.get()>>>(
    out.data<float>(), bias.data<float>(), b * c, c);
  check_launch(op);
}

void pooler_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const tensor& out, const op_stream& s) {
  constexpr auto op = "pooler_backward";
  check(op, inp, out, weight, s);
  const auto b = inp.size(0), t = inp.size(1), c = inp.size(2);
  require_same(op, "dinp", dinp, "inp", inp);
  require_on(op, "dinp", dinp, s);
  require_tensor(op, "dweight", dweight, {c, c}, dtype::f32, s.where());
  require_tensor(op, "dbias", dbias, {c}, dtype::f32, s.where());
  require_tensor(op, "dout", dout, {b, c}, dtype::f32, s.where());
  if (b * c == 0)
    return;
  auto dz = s.scratch({b, c}); // gradient before tanh
  tanh_backward_kernel<<<blocks_for(b * c), threads_per_block, 0, s.get()>>>(
    dz.data<float>(), dout.data<float>(), out.data<float>(), b * c);
  check_launch(op);
  add_column_sums(dbias.data<float>(), dz.data<float>(), b, c, s);
  // dweight (C,C) += dz^T (C,B) @ cls (B,C; ld T*C)
  gemm(s, c, c, b, 1.0f, {dz.data<float>(), c, true}, {inp.data<float>(), t * c}, 1.0f,
       {dweight.data<float>(), c});
  // dinp[:,0,:] (B,C; ld T*C) += dz (B,C) @ weight (C,C)
  gemm(s, b, c, c, 1.0f, {dz.data<float>(), c}, {weight.data<float>(), c}, 1.0f,
       {dinp.data<float>(), t * c});
}

} // namespace axon::ops::cuda
