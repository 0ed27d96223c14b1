// Pooler forward/backward. The [CLS] rows are read in place: row b sits at inp + b*T*C,
// so sgemm sees them as a (B,C) matrix with leading dimension T*C.
#include "ops/cpu/pooler.hpp"

#include "ops/cpu/gemm.hpp"
#include "ops/op_error.hpp"

#include <cmath>
#include <vector>

namespace axon::ops {

namespace {

struct pooler_dims {
  std::int64_t b, t, c;
};

pooler_dims check(std::string_view op, const tensor& inp, const tensor& weight) {
  require(inp.defined() && inp.rank() == 3 && inp.size(1) > 0, op,
          "inp is " + inp.describe() + ", expected (B,T,C) with T >= 1");
  pooler_dims d{inp.size(0), inp.size(1), inp.size(2)};
  require_tensor(op, "inp", inp, {d.b, d.t, d.c});
  require_tensor(op, "weight", weight, {d.c, d.c});
  return d;
}

} // namespace

void pooler_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias) {
  constexpr auto op = "pooler_forward";
  auto d = check(op, inp, weight);
  require_tensor(op, "bias", bias, {d.c});
  require_tensor(op, "out", out, {d.b, d.c});
  float* y = out.data<float>();
  const float* b = bias.data<float>();
  for (std::int64_t r = 0; r < d.b; ++r)
    std::copy(b, b + d.c, y + r * d.c);
  sgemm(CblasNoTrans, CblasTrans, int(d.b), int(d.c), int(d.c), 1.0f,
        inp.data<float>(), int(d.t * d.c), weight.data<float>(), int(d.c), 1.0f, y,
        int(d.c));
  for (std::int64_t i = 0; i < d.b * d.c; ++i)
    y[i] = std::tanh(y[i]);
}

void pooler_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const tensor& out) {
  constexpr auto op = "pooler_backward";
  auto d = check(op, inp, weight);
  require_same(op, "dinp", dinp, "inp", inp);
  require_tensor(op, "dweight", dweight, {d.c, d.c});
  require_tensor(op, "dbias", dbias, {d.c});
  require_tensor(op, "dout", dout, {d.b, d.c});
  require_tensor(op, "out", out, {d.b, d.c});
  const float *dy = dout.data<float>(), *y = out.data<float>();
  std::vector<float> dz(d.b * d.c); // gradient before tanh
  float* db = dbias.data<float>();
  for (std::int64_t r = 0; r < d.b; ++r)
    for (std::int64_t i = 0; i < d.c; ++i) {
      auto k = r * d.c + i;
      dz[k] = dy[k] * (1.0f - y[k] * y[k]);
      db[i] += dz[k];
    }
  // dweight += dz^T @ cls;  dcls += dz @ weight
  sgemm(CblasTrans, CblasNoTrans, int(d.c), int(d.c), int(d.b), 1.0f,
        dz.data(), int(d.c), inp.data<float>(), int(d.t * d.c), 1.0f,
        dweight.data<float>(), int(d.c));
  sgemm(CblasNoTrans, CblasNoTrans, int(d.b), int(d.c), int(d.c), 1.0f,
        dz.data(), int(d.c), weight.data<float>(), int(d.c), 1.0f, dinp.data<float>(),
        int(d.t * d.c));
}

} // namespace axon::ops
