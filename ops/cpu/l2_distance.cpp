// Euclidean distances and their gradients (see l2_distance.hpp). With G = ddist / dist:
//   dq = q * rowsum(G) - G @ cand;   dcand = cand * colsum(G) - G^T @ q.
#include "ops/cpu/l2_distance.hpp"

#include "ops/cpu/gemm.hpp"
#include "ops/op_error.hpp"

#include <cmath>
#include <vector>

namespace axon::ops {

namespace {

constexpr float min_squared = 1e-12f;

struct pair_dims {
  std::int64_t b, k, d;
};

pair_dims check_pairwise(std::string_view op, const tensor& dist, const tensor& q,
                         const tensor& cand) {
  require(q.defined() && q.rank() == 2, op, "q is " + q.describe() + ", expected (B,D)");
  require(cand.defined() && cand.rank() == 2, op, "cand is " + cand.describe() + ", expected (K,D)");
  const auto b = q.size(0), d = q.size(1), k = cand.size(0);
  require_tensor(op, "q", q, {b, d});
  require_tensor(op, "cand", cand, {k, d});
  require_tensor(op, "dist", dist, {b, k});
  return {b, k, d};
}

// out (n,D) += x (n,D) * sums (n) - G' @ other (m,D), where G' is G (n,m) or, with
// `transposed`, G^T for a G stored as (m,n).
void add_gradient(float* out, const float* x, const std::vector<float>& sums, const float* g,
                  bool transposed, const float* other, std::int64_t n, std::int64_t m,
                  std::int64_t d) {
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t c = 0; c < d; ++c)
      out[i * d + c] += x[i * d + c] * sums[i];
  sgemm(transposed ? CblasTrans : CblasNoTrans, CblasNoTrans, int(n), int(d),
        int(m), -1.0f, g, transposed ? int(n) : int(m), other, int(d), 1.0f, out, int(d));
}

} // namespace

void l2_distance_pairwise_forward(const tensor& dist, const tensor& q, const tensor& cand) {
  auto [b, k, d] = check_pairwise("l2_distance_pairwise_forward", dist, q, cand);
  const float *qp = q.data<float>(), *cp = cand.data<float>();
  float* out = dist.data<float>();
  // -2 q c^T, then add the squared norms.
  sgemm(CblasNoTrans, CblasTrans, int(b), int(k), int(d), -2.0f, qp, int(d),
        cp, int(d), 0.0f, out, int(k));
  std::vector<float> cand_sq(k);
  for (std::int64_t j = 0; j < k; ++j) {
    float s = 0;
    for (std::int64_t x = 0; x < d; ++x)
      s += cp[j * d + x] * cp[j * d + x];
    cand_sq[j] = s;
  }
  for (std::int64_t i = 0; i < b; ++i) {
    float q_sq = 0;
    for (std::int64_t x = 0; x < d; ++x)
      q_sq += qp[i * d + x] * qp[i * d + x];
    float* row = out + i * k;
    for (std::int64_t j = 0; j < k; ++j)
      row[j] = std::sqrt(std::max(row[j] + q_sq + cand_sq[j], min_squared));
  }
}

void l2_distance_pairwise_backward(const tensor& dq, const tensor& dcand, const tensor& ddist,
                                   const tensor& q, const tensor& cand, const tensor& dist) {
  constexpr auto op = "l2_distance_pairwise_backward";
  auto [b, k, d] = check_pairwise(op, dist, q, cand);
  require_tensor(op, "ddist", ddist, {b, k});
  if (dq.defined())
    require_tensor(op, "dq", dq, {b, d});
  if (dcand.defined())
    require_tensor(op, "dcand", dcand, {k, d});
  const float *qp = q.data<float>(), *cp = cand.data<float>();
  std::vector<float> g(b * k), row_sum(b, 0.0f), col_sum(k, 0.0f);
  for (std::int64_t i = 0; i < b; ++i)
    for (std::int64_t j = 0; j < k; ++j) {
      float v = ddist.data<float>()[i * k + j] / dist.data<float>()[i * k + j];
      g[i * k + j] = v;
      row_sum[i] += v;
      col_sum[j] += v;
    }
  if (dq.defined()) // dq += q * rowsum(G) - G @ cand
    add_gradient(dq.data<float>(), qp, row_sum, g.data(), false, cp, b, k, d);
  if (dcand.defined()) // dcand += cand * colsum(G) - G^T @ q
    add_gradient(dcand.data<float>(), cp, col_sum, g.data(), true, qp, k, b, d);
}

void l2_distance_rowwise_forward(const tensor& dist, const tensor& q, const tensor& target) {
  constexpr auto op = "l2_distance_rowwise_forward";
  require(q.defined() && q.rank() == 2, op, "q is " + q.describe() + ", expected (B,D)");
  const auto b = q.size(0), d = q.size(1);
  require_tensor(op, "target", target, {b, d});
  require_tensor(op, "dist", dist, {b});
  for (std::int64_t i = 0; i < b; ++i) {
    float s = 0;
    for (std::int64_t x = 0; x < d; ++x) {
      float diff = q.data<float>()[i * d + x] - target.data<float>()[i * d + x];
      s += diff * diff;
    }
    dist.data<float>()[i] = std::sqrt(std::max(s, min_squared));
  }
}

void l2_distance_rowwise_backward(const tensor& dq, const tensor& dtarget, const tensor& ddist,
                                  const tensor& q, const tensor& target, const tensor& dist) {
  constexpr auto op = "l2_distance_rowwise_backward";
  require(q.defined() && q.rank() == 2, op, "q is " + q.describe() + ", expected (B,D)");
  const auto b = q.size(0), d = q.size(1);
  require_tensor(op, "target", target, {b, d});
  require_tensor(op, "dist", dist, {b});
  require_tensor(op, "ddist", ddist, {b});
  require_tensor(op, "dq", dq, {b, d});
  require_tensor(op, "dtarget", dtarget, {b, d});
  for (std::int64_t i = 0; i < b; ++i) {
    const float scale = ddist.data<float>()[i] / dist.data<float>()[i];
    for (std::int64_t x = 0; x < d; ++x) {
      float g = scale * (q.data<float>()[i * d + x] - target.data<float>()[i * d + x]);
      dq.data<float>()[i * d + x] += g;
      dtarget.data<float>()[i * d + x] -= g;
    }
  }
}

} // namespace axon::ops
