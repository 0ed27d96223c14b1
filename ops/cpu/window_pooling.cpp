// Mean and attention pooling over each document's windows. Sizes are small (a document has
// at most data.max-chunks windows; the encoders cost orders of magnitude more), so the
// loops are plain and serial, with dot products and sums in double: the result does not
// depend on threads or on how documents are batched.
#include "ops/cpu/window_pooling.hpp"

#include "ops/op_error.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace axon::ops {

namespace {

struct pool_dims {
  std::int64_t n, d, c;
};

/// inp (N,C) and offsets (D+1), i32, 0 = offsets[0] <= ... <= offsets[D] = N.
pool_dims check(std::string_view op, const tensor& inp, const tensor& offsets) {
  require(inp.defined() && inp.rank() == 2, op,
          "inp is " + (inp.defined() ? inp.describe() : std::string{"undefined"}) +
            ", expected (N,C)");
  pool_dims dims{inp.size(0), offsets.defined() ? offsets.size(0) - 1 : 0, inp.size(1)};
  require_tensor(op, "inp", inp, {dims.n, dims.c});
  check_window_offsets(op, offsets, dims.n);
  return dims;
}

} // namespace

void check_window_offsets(std::string_view op, const tensor& offsets, std::int64_t windows) {
  require(offsets.defined() && offsets.rank() == 1 && offsets.size(0) >= 1, op,
          "offsets is " + (offsets.defined() ? offsets.describe() : std::string{"undefined"}) +
            ", expected i32 (D+1)");
  const auto documents = offsets.size(0) - 1;
  require_tensor(op, "offsets", offsets, {documents + 1}, dtype::i32);
  const auto* o = offsets.data<std::int32_t>();
  require(o[0] == 0 && o[documents] == windows, op,
          "offsets run from " + std::to_string(o[0]) + " to " + std::to_string(o[documents]) +
            ", expected 0 to N = " + std::to_string(windows));
  for (std::int64_t k = 0; k < documents; ++k)
    require(o[k] <= o[k + 1], op,
            "offsets decrease at document " + std::to_string(k) + ": " + std::to_string(o[k]) +
              " then " + std::to_string(o[k + 1]));
}

void mean_pool_forward(const tensor& out, const tensor& inp, const tensor& offsets) {
  constexpr auto op = "mean_pool_forward";
  const auto dims = check(op, inp, offsets);
  require_tensor(op, "out", out, {dims.d, dims.c});
  const auto* o = offsets.data<std::int32_t>();
  const float* x = inp.data<float>();
  float* y = out.data<float>();
  std::vector<double> sum(static_cast<std::size_t>(dims.c));
  for (std::int64_t doc = 0; doc < dims.d; ++doc) {
    std::fill(sum.begin(), sum.end(), 0.0);
    for (std::int64_t n = o[doc]; n < o[doc + 1]; ++n)
      for (std::int64_t k = 0; k < dims.c; ++k)
        sum[k] += x[n * dims.c + k];
    const auto windows = o[doc + 1] - o[doc];
    for (std::int64_t k = 0; k < dims.c; ++k)
      y[doc * dims.c + k] = windows > 0 ? float(sum[k] / windows) : 0.0f;
  }
}

void mean_pool_backward(const tensor& dinp, const tensor& dout, const tensor& offsets) {
  constexpr auto op = "mean_pool_backward";
  const auto dims = check(op, dinp, offsets);
  require_tensor(op, "dout", dout, {dims.d, dims.c});
  const auto* o = offsets.data<std::int32_t>();
  float* dx = dinp.data<float>();
  const float* dy = dout.data<float>();
  for (std::int64_t doc = 0; doc < dims.d; ++doc) {
    const auto windows = o[doc + 1] - o[doc];
    for (std::int64_t n = o[doc]; n < o[doc + 1]; ++n)
      for (std::int64_t k = 0; k < dims.c; ++k)
        dx[n * dims.c + k] += float(double(dy[doc * dims.c + k]) / windows);
  }
}

void attention_pool_forward(const tensor& out, const tensor& probs, const tensor& inp,
                            const tensor& query, const tensor& offsets) {
  constexpr auto op = "attention_pool_forward";
  const auto dims = check(op, inp, offsets);
  require_tensor(op, "out", out, {dims.d, dims.c});
  require_tensor(op, "probs", probs, {dims.n});
  require_tensor(op, "query", query, {dims.c});
  const auto* o = offsets.data<std::int32_t>();
  const float *x = inp.data<float>(), *q = query.data<float>();
  float *y = out.data<float>(), *p = probs.data<float>();
  std::vector<double> scores, sum(static_cast<std::size_t>(dims.c));
  for (std::int64_t doc = 0; doc < dims.d; ++doc) {
    const auto first = o[doc], windows = o[doc + 1] - o[doc];
    scores.assign(static_cast<std::size_t>(windows), 0.0);
    double top = -INFINITY;
    for (std::int64_t w = 0; w < windows; ++w) {
      double s = 0;
      for (std::int64_t k = 0; k < dims.c; ++k)
        s += double(x[(first + w) * dims.c + k]) * q[k];
      scores[w] = s;
      top = std::max(top, s);
    }
    double total = 0;
    for (auto& s : scores)
      total += (s = std::exp(s - top));
    std::fill(sum.begin(), sum.end(), 0.0);
    for (std::int64_t w = 0; w < windows; ++w) {
      const double weight = scores[w] / total;
      p[first + w] = float(weight);
      for (std::int64_t k = 0; k < dims.c; ++k)
        sum[k] += weight * x[(first + w) * dims.c + k];
    }
    for (std::int64_t k = 0; k < dims.c; ++k)
      y[doc * dims.c + k] = float(sum[k]); // 0 for a document without windows
  }
}

void attention_pool_backward(const tensor& dinp, const tensor& dquery, const tensor& dout,
                             const tensor& inp, const tensor& query, const tensor& probs,
                             const tensor& offsets) {
  constexpr auto op = "attention_pool_backward";
  const auto dims = check(op, inp, offsets);
  require_same(op, "dinp", dinp, "inp", inp);
  require_tensor(op, "dquery", dquery, {dims.c});
  require_tensor(op, "dout", dout, {dims.d, dims.c});
  require_tensor(op, "query", query, {dims.c});
  require_tensor(op, "probs", probs, {dims.n});
  const auto* o = offsets.data<std::int32_t>();
  const float *x = inp.data<float>(), *q = query.data<float>(), *dy = dout.data<float>();
  const float* p = probs.data<float>();
  float *dx = dinp.data<float>(), *dq = dquery.data<float>();
  std::vector<double> g, dq_sum(static_cast<std::size_t>(dims.c), 0.0);
  for (std::int64_t doc = 0; doc < dims.d; ++doc) {
    const auto first = o[doc], windows = o[doc + 1] - o[doc];
    const float* dy_doc = dy + doc * dims.c;
    g.assign(static_cast<std::size_t>(windows), 0.0);
    double mean_g = 0; // sum_m probs[m] g[m]
    for (std::int64_t w = 0; w < windows; ++w) {
      double dot = 0;
      for (std::int64_t k = 0; k < dims.c; ++k)
        dot += double(dy_doc[k]) * x[(first + w) * dims.c + k];
      g[w] = dot;
      mean_g += double(p[first + w]) * dot;
    }
    for (std::int64_t w = 0; w < windows; ++w) {
      const double weight = p[first + w];
      const double ds = weight * (g[w] - mean_g);
      float* dx_row = dx + (first + w) * dims.c;
      const float* x_row = x + (first + w) * dims.c;
      for (std::int64_t k = 0; k < dims.c; ++k) {
        dx_row[k] += float(weight * dy_doc[k] + ds * q[k]);
        dq_sum[k] += ds * x_row[k];
      }
    }
  }
  for (std::int64_t k = 0; k < dims.c; ++k)
    dq[k] += float(dq_sum[k]);
}

} // namespace axon::ops
