// Attention forward/backward: one task per (batch row, head), each a handful of sgemm
// calls on strided views of qkv, so no head is ever copied out. With S = Q K^T * scale,
// P = softmax(S), Pd = dropout(P), O = Pd V:
//   dV = Pd^T dO,  dPd = dO V^T,  dP = dropout'(dPd),  dS = P * (dP - rowsum(dP * P)),
//   dQ = scale * dS K,  dK = scale * dS^T Q.
#include "ops/cpu/attention.hpp"

#include "ops/attention_dims.hpp"
#include "ops/cpu/softmax.hpp"
#include "ops/cpu/vector_math.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <cblas.h>

#include <cmath>
#include <vector>

namespace axon::ops {

namespace {

// Per key of row b: 1 when attended, 0 when masked; every key 1 when none is attended.
void key_weights(float* keep, const std::int32_t* mask, std::int64_t t) {
  bool any_attended = false;
  for (std::int64_t j = 0; j < t; ++j) {
    keep[j] = mask == nullptr || mask[j] != 0 ? 1.0f : 0.0f;
    any_attended |= keep[j] != 0.0f;
  }
  if (!any_attended)
    std::fill(keep, keep + t, 1.0f);
}

// Softmax of row `s` over the keys with weight 1 (masked keys get exactly 0). Masked
// scores take no part in the maximum; their exp (finite: exp_approx clamps) times 0 is 0.
// p may be s (in place): each element is read before it is written.
void masked_softmax_row(float* p, const float* s, const float* __restrict keep, std::int64_t t) {
  float max = -INFINITY;
#pragma omp simd reduction(max : max)
  for (std::int64_t j = 0; j < t; ++j) {
    float v = keep[j] != 0.0f ? s[j] : -INFINITY;
    max = v > max ? v : max;
  }
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (std::int64_t j = 0; j < t; ++j) {
    p[j] = exp_approx(s[j] - max) * keep[j];
    sum += p[j];
  }
  float inv = 1.0f / sum;
#pragma omp simd
  for (std::int64_t j = 0; j < t; ++j)
    p[j] *= inv;
}
// Element offset of probs[b,h,0,0] in the (B,NH,T,T) tensor: the dropout counter base.
std::int64_t probs_offset(const attention_dims& d, std::int64_t task) {
  return task * d.t * d.t;
}

// Pd = P * dropout scales for one (b,h) task.
void dropped_probs(float* pd, const float* p, std::int64_t first, std::int64_t count,
                   const dropout_spec& drop) {
  dropout_scales(pd, first, count, drop);
  for (std::int64_t i = 0; i < count; ++i)
    pd[i] *= p[i];
}

} // namespace

void attention_forward(const tensor& out, const tensor& probs, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop) {
  constexpr auto op = "attention_forward";
  auto d = check_attention(op, qkv, probs, key_mask, n_heads, drop);
  require_tensor(op, "out", out, {d.b, d.t, d.c});
  const float* x = qkv.data<float>();
  const std::int32_t* mask = key_mask.defined() ? key_mask.data<std::int32_t>() : nullptr;
  float* p_all = probs.data<float>();
  float* y = out.data<float>();
  const float scale = 1.0f / std::sqrt(float(d.hs));
  const auto ld_qkv = int(3 * d.c), tt = int(d.t), hs = int(d.hs);
  parallel_for(d.b * d.nh, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> pd(drop.active() ? d.t * d.t : 0), keep(d.t);
    for (auto task = begin; task < end; ++task) {
      auto bi = task / d.nh, h = task % d.nh;
      const float* q = x + bi * d.t * 3 * d.c + h * d.hs;
      const float* k = q + d.c;
      const float* v = q + 2 * d.c;
      float* p = p_all + probs_offset(d, task);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, tt, tt, hs, scale, q, ld_qkv, k,
                  ld_qkv, 0.0f, p, tt);
      key_weights(keep.data(), mask ? mask + bi * d.t : nullptr, d.t);
      for (std::int64_t i = 0; i < d.t; ++i)
        masked_softmax_row(p + i * d.t, p + i * d.t, keep.data(), d.t);
      const float* pv = p;
      if (drop.active()) {
        dropped_probs(pd.data(), p, probs_offset(d, task), d.t * d.t, drop);
        pv = pd.data();
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, tt, hs, tt, 1.0f, pv, tt, v,
                  ld_qkv, 0.0f, y + bi * d.t * d.c + h * d.hs, int(d.c));
    }
  });
}

void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                        const tensor& probs, const tensor& key_mask, int n_heads,
                        const dropout_spec& drop, grad_write dqkv_write) {
  constexpr auto op = "attention_backward";
  auto d = check_attention(op, qkv, probs, key_mask, n_heads, drop);
  require_same(op, "dqkv", dqkv, "qkv", qkv);
  require_tensor(op, "dout", dout, {d.b, d.t, d.c});
  const float* x = qkv.data<float>();
  const float* p_all = probs.data<float>();
  const float* dy = dout.data<float>();
  float* dx = dqkv.data<float>();
  const float scale = 1.0f / std::sqrt(float(d.hs));
  const auto ld_qkv = int(3 * d.c), tt = int(d.t), hs = int(d.hs), c = int(d.c);
  // Each of dQ, dK, dV of a head is written by exactly one GEMM: beta 0 overwrites.
  const float beta = dqkv_write == grad_write::accumulate ? 1.0f : 0.0f;
  parallel_for(d.b * d.nh, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> dp(d.t * d.t), ds(d.t * d.t), pd(drop.active() ? d.t * d.t : 0);
    std::vector<float> scales(drop.active() ? d.t * d.t : 0);
    for (auto task = begin; task < end; ++task) {
      auto bi = task / d.nh, h = task % d.nh;
      auto head = bi * d.t * 3 * d.c + h * d.hs;
      const float *q = x + head, *k = q + d.c, *v = q + 2 * d.c;
      float *dq = dx + head, *dk = dq + d.c, *dv = dq + 2 * d.c;
      const float* dyo = dy + bi * d.t * d.c + h * d.hs;
      const float* p = p_all + probs_offset(d, task);
      const float* pv = p;
      if (drop.active()) {
        dropout_scales(scales.data(), probs_offset(d, task), d.t * d.t, drop);
        for (std::int64_t i = 0; i < d.t * d.t; ++i)
          pd[i] = p[i] * scales[i];
        pv = pd.data();
      }
      // dV += Pd^T dO
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, tt, hs, tt, 1.0f, pv, tt, dyo, c,
                  beta, dv, ld_qkv);
      // dPd = dO V^T, then through dropout
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, tt, tt, hs, 1.0f, dyo, c, v, ld_qkv,
                  0.0f, dp.data(), tt);
      if (drop.active())
        for (std::int64_t i = 0; i < d.t * d.t; ++i)
          dp[i] *= scales[i];
      std::fill(ds.begin(), ds.end(), 0.0f);
      for (std::int64_t i = 0; i < d.t; ++i)
        softmax_row_backward(ds.data() + i * d.t, dp.data() + i * d.t, p + i * d.t, d.t);
      // dQ += scale * dS K;  dK += scale * dS^T Q
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, tt, hs, tt, scale, ds.data(), tt, k,
                  ld_qkv, beta, dq, ld_qkv);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, tt, hs, tt, scale, ds.data(), tt, q,
                  ld_qkv, beta, dk, ld_qkv);
    }
  });
}

} // namespace axon::ops
