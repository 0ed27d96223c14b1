// R-GCN layer forward/backward (see rgcn.hpp). The graphs it serves are small (a few
// thousand edges), so each edge is a (D,D) matrix-vector product in plain loops.
#include "ops/cpu/rgcn.hpp"

#include "ops/op_error.hpp"

#include <algorithm>

namespace axon::ops {

namespace {

struct rgcn_dims {
  std::int64_t entities, d, kinds, edges;
};

rgcn_dims check(std::string_view op, const tensor& out, const tensor& x, const tensor& weight,
                const tensor& edges, const tensor& norm) {
  require(x.defined() && x.rank() == 2, op, "x is " + x.describe() + ", expected (E,D)");
  const auto e = x.size(0), d = x.size(1);
  require_tensor(op, "out", out, {e, d});
  require(weight.defined() && weight.rank() == 3, op,
          "weight is " + weight.describe() + ", expected (K,D,D)");
  const auto k = weight.size(0);
  require_tensor(op, "weight", weight, {k, d, d});
  require(edges.defined() && edges.rank() == 2, op,
          "edges is " + edges.describe() + ", expected (M,3) rows [src, kind, dst]");
  const auto m = edges.size(0);
  require_tensor(op, "edges", edges, {m, 3}, dtype::i32);
  require_tensor(op, "norm", norm, {m});
  const auto* edge = edges.data<std::int32_t>();
  for (std::int64_t i = 0; i < m; ++i)
    require(edge[3 * i] >= 0 && edge[3 * i] < e && edge[3 * i + 1] >= 0 && edge[3 * i + 1] < k &&
              edge[3 * i + 2] >= 0 && edge[3 * i + 2] < e,
            op, "edges[" + std::to_string(i) + "] = [" + std::to_string(edge[3 * i]) + ", " +
                  std::to_string(edge[3 * i + 1]) + ", " + std::to_string(edge[3 * i + 2]) +
                  "] is outside E = " + std::to_string(e) + ", K = " + std::to_string(k));
  return {e, d, k, m};
}

} // namespace

void rgcn_forward(const tensor& out, const tensor& x, const tensor& weight, const tensor& edges,
                  const tensor& norm) {
  auto [e, d, k, m] = check("rgcn_forward", out, x, weight, edges, norm);
  const float *xs = x.data<float>(), *w = weight.data<float>(), *n = norm.data<float>();
  float* y = out.data<float>();
  std::copy(xs, xs + e * d, y);
  const auto* edge = edges.data<std::int32_t>();
  for (std::int64_t i = 0; i < m; ++i) {
    const float* src = xs + std::int64_t{edge[3 * i]} * d;
    const float* wk = w + std::int64_t{edge[3 * i + 1]} * d * d;
    float* dst = y + std::int64_t{edge[3 * i + 2]} * d;
    for (std::int64_t r = 0; r < d; ++r) {
      float sum = 0;
      for (std::int64_t c = 0; c < d; ++c)
        sum += wk[r * d + c] * src[c];
      dst[r] += n[i] * sum;
    }
  }
}

void rgcn_backward(const tensor& dx, const tensor& dweight, const tensor& dout, const tensor& x,
                   const tensor& weight, const tensor& edges, const tensor& norm) {
  constexpr auto op = "rgcn_backward";
  auto [e, d, k, m] = check(op, dout, x, weight, edges, norm);
  require_tensor(op, "dx", dx, {e, d});
  require_tensor(op, "dweight", dweight, {k, d, d});
  const float *xs = x.data<float>(), *w = weight.data<float>(), *n = norm.data<float>();
  const float* g = dout.data<float>();
  float *dxs = dx.data<float>(), *dw = dweight.data<float>();
  for (std::int64_t i = 0; i < e * d; ++i)
    dxs[i] += g[i];
  const auto* edge = edges.data<std::int32_t>();
  for (std::int64_t i = 0; i < m; ++i) {
    const auto src = std::int64_t{edge[3 * i]} * d, kind = std::int64_t{edge[3 * i + 1]} * d * d;
    const float* gd = g + std::int64_t{edge[3 * i + 2]} * d;
    for (std::int64_t r = 0; r < d; ++r) {
      const float gr = n[i] * gd[r];
      for (std::int64_t c = 0; c < d; ++c) {
        dw[kind + r * d + c] += gr * xs[src + c];
        dxs[src + c] += w[kind + r * d + c] * gr;
      }
    }
  }
}

} // namespace axon::ops
