// Linear through cuBLAS (ops/cuda/gemm.hpp); the bias is broadcast into out first and
// the GEMM adds onto it (beta 1); dbias is a column sum of dout.
#include "ops/cuda/linear.hpp"

#include "ops/cuda/column_sums.hpp"
#include "ops/cuda/gemm.hpp"
#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"

namespace axon::ops::cuda {

namespace {

struct linear_dims {
  std::int64_t oc, c, n;
};

linear_dims check(std::string_view op, const tensor& weight, const tensor& inp,
                  const op_stream& s) {
  require(weight.defined() && weight.rank() == 2, op,
          "weight is " + weight.describe() + ", expected (OC,C)");
  auto oc = weight.size(0), c = weight.size(1);
  require_tensor(op, "weight", weight, {oc, c}, dtype::f32, s.where());
  return {oc, c, require_rows(op, "inp", inp, c, dtype::f32, s.where())};
}

// out (N,OC): every row = bias (OC).
__global__ void broadcast_rows(float* out, const float* bias, std::int64_t n, std::int64_t oc) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n * oc)
    out[i] = bias[i % oc];
}

} // namespace

void linear_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const op_stream& s) {
  constexpr auto op = "linear_forward";
  auto [oc, c, n] = check(op, weight, inp, s);
  require(require_rows(op, "out", out, oc, dtype::f32, s.where()) == n, op,
          "out is " + out.describe() + " but inp is " + inp.describe());
  float beta = 0.0f;
  if (bias.defined()) {
    require_tensor(op, "bias", bias, {oc}, dtype::f32, s.where());
    broadcast_rows<<<blocks_for(n * oc), threads_per_block, 0, s.get()>>>(
      out.data<float>(), bias.data<float>(), n, oc);
    check_launch(op);
    beta = 1.0f;
  }
  // out (N,OC) = inp (N,C) @ weight^T, weight stored (OC,C)
  gemm(s, n, oc, c, 1.0f, {inp.data<float>(), c}, {weight.data<float>(), c, true}, beta,
       {out.data<float>(), oc});
}

void linear_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const op_stream& s, grad_write dinp_write) {
  constexpr auto op = "linear_backward";
  auto [oc, c, n] = check(op, weight, inp, s);
  require_tensor(op, "dweight", dweight, {oc, c}, dtype::f32, s.where());
  require(require_rows(op, "dout", dout, oc, dtype::f32, s.where()) == n, op,
          "dout is " + dout.describe() + " but inp is " + inp.describe());
  if (dinp.defined()) {
    require_same(op, "dinp", dinp, "inp", inp);
    require_on(op, "dinp", dinp, s);
    // dinp (N,C) (+)= dout (N,OC) @ weight (OC,C)
    gemm(s, n, c, oc, 1.0f, {dout.data<float>(), oc}, {weight.data<float>(), c},
         dinp_write == grad_write::accumulate ? 1.0f : 0.0f, {dinp.data<float>(), c});
  }
  // dweight (OC,C) += dout^T (OC,N) @ inp (N,C), dout stored (N,OC)
  gemm(s, oc, c, n, 1.0f, {dout.data<float>(), oc, true}, {inp.data<float>(), c}, 1.0f,
       {dweight.data<float>(), c});
  if (dbias.defined()) {
    require_tensor(op, "dbias", dbias, {oc}, dtype::f32, s.where());
    add_column_sums(dbias.data<float>(), dout.data<float>(), n, oc, s);
  }
}

} // namespace axon::ops::cuda
