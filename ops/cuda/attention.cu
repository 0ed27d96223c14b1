// Attention from cuBLAS strided-batched GEMMs (one call per sequence b, batched over its
// NH heads: head h of Q starts HS columns after head h-1) and block-per-row softmax
// kernels. With S = Q K^T * scale, P = softmax(S), Pd = dropout(P), O = Pd V:
//   dV = Pd^T dO,  dPd = dO V^T,  dP = dropout'(dPd),  dS = P * (dP - rowsum(dP * P)),
//   dQ = scale * dS K,  dK = scale * dS^T Q.
#include "ops/cuda/attention.hpp"

#include "ops/attention_dims.hpp"
#include "ops/cuda/dropout.hpp"
#include "ops/cuda/gemm.hpp"
#include "ops/cuda/softmax_rows.cuh"
#include "ops/op_error.hpp"

#include <cmath>

namespace axon::ops::cuda {

namespace {

constexpr int row_threads = 128;

// keep (B,T): 1 for an attended key, 0 for padding; all 1 in a row with no attended key.
__global__ void key_weights_kernel(float* keep, const std::int32_t* mask, std::int64_t t) {
  const std::int32_t* row = mask + std::int64_t{blockIdx.x} * t;
  int attended = 0;
  for (auto j = std::int64_t{threadIdx.x}; j < t; j += blockDim.x)
    attended += row[j] != 0;
  attended = block_sum(attended);
  for (auto j = std::int64_t{threadIdx.x}; j < t; j += blockDim.x)
    keep[std::int64_t{blockIdx.x} * t + j] = attended == 0 || row[j] != 0 ? 1.0f : 0.0f;
}

// In place over the (B*NH*T) rows of probs; keep may be nullptr (no mask).
__global__ void masked_softmax_kernel(float* p, const float* keep, std::int64_t nh,
                                      std::int64_t t) {
  auto row = std::int64_t{blockIdx.x};
  auto bi = row / (nh * t);
  softmax_row(p + row * t, p + row * t, keep == nullptr ? nullptr : keep + bi * t, t);
}

// dS = P * (dP - rowsum(dP * P)), in place over dp.
__global__ void softmax_grad_kernel(float* dp, const float* p, std::int64_t t) {
  auto row = std::int64_t{blockIdx.x} * t;
  softmax_row_backward(dp + row, dp + row, p + row, t, false);
}

// The probabilities V is multiplied by: P itself, or a dropped copy (kept alive in `pd`).
const float* dropped_probs(tensor& pd, const tensor& probs, const attention_dims& d,
                           const dropout_spec& drop, const op_stream& s) {
  if (!drop.active())
    return probs.data<float>();
  pd = s.scratch(probs.sizes());
  apply_attention_dropout(pd.data<float>(), probs.data<float>(), d.b, d.nh, d.t, drop, false,
                          s);
  return pd.data<float>();
}

} // namespace

void attention_forward(const tensor& out, const tensor& probs, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop,
                       const op_stream& s) {
  constexpr auto op = "attention_forward";
  auto d = check_attention(op, qkv, probs, key_mask, n_heads, drop, s.where());
  require_tensor(op, "out", out, {d.b, d.t, d.c}, dtype::f32, s.where());
  if (d.b * d.t == 0)
    return;
  const float scale = 1.0f / std::sqrt(float(d.hs));
  const auto tt = d.t * d.t, ld = 3 * d.c;
  const float* x = qkv.data<float>();
  float* p = probs.data<float>();
  for (std::int64_t bi = 0; bi < d.b; ++bi) {
    const float* q = x + bi * d.t * ld;
    // S (NH: T,T) = scale * Q (T,HS) @ K^T
    gemm(s, d.t, d.t, d.hs, scale, {q, ld, false, d.hs}, {q + d.c, ld, true, d.hs}, 0.0f,
         {p + bi * d.nh * tt, d.t, tt}, d.nh);
  }
  tensor keep;
  if (key_mask.defined()) {
    keep = s.scratch({d.b, d.t});
    key_weights_kernel<<<unsigned(d.b), row_threads, 0, s.get()>>>(
      keep.data<float>(), key_mask.data<std::int32_t>(), d.t);
  }
  masked_softmax_kernel<<<unsigned(d.b * d.nh * d.t), row_threads, 0, s.get()>>>(
    p, keep.defined() ? keep.data<float>() : nullptr, d.nh, d.t);
  check_launch(op);
  tensor pd;
  const float* pv = dropped_probs(pd, probs, d, drop, s);
  float* y = out.data<float>();
  for (std::int64_t bi = 0; bi < d.b; ++bi) {
    const float* v = x + bi * d.t * ld + 2 * d.c;
    // O (NH: T,HS) = Pd (T,T) @ V (T,HS), written to out's head columns
    gemm(s, d.t, d.hs, d.t, 1.0f, {pv + bi * d.nh * tt, d.t, false, tt}, {v, ld, false, d.hs},
         0.0f, {y + bi * d.t * d.c, d.c, d.hs}, d.nh);
  }
}

void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                        const tensor& probs, const tensor& key_mask, int n_heads,
                        const dropout_spec& drop, const op_stream& s, grad_write dqkv_write) {
  constexpr auto op = "attention_backward";
  auto d = check_attention(op, qkv, probs, key_mask, n_heads, drop, s.where());
  require_same(op, "dqkv", dqkv, "qkv", qkv);
  require_on(op, "dqkv", dqkv, s);
  require_tensor(op, "dout", dout, {d.b, d.t, d.c}, dtype::f32, s.where());
  if (d.b * d.t == 0)
    return;
  const float scale = 1.0f / std::sqrt(float(d.hs));
  // Each of dQ, dK, dV of a head is written by exactly one GEMM: beta 0 overwrites.
  const float beta = dqkv_write == grad_write::accumulate ? 1.0f : 0.0f;
  const auto tt = d.t * d.t, ld = 3 * d.c;
  const float *x = qkv.data<float>(), *dy = dout.data<float>(), *p = probs.data<float>();
  float* dx = dqkv.data<float>();
  tensor pd;
  const float* pv = dropped_probs(pd, probs, d, drop, s);
  auto dp_tensor = s.scratch(probs.sizes());
  float* dp = dp_tensor.data<float>();
  for (std::int64_t bi = 0; bi < d.b; ++bi) {
    auto seq = bi * d.t * ld;
    const float* dyo = dy + bi * d.t * d.c;
    // dV (T,HS) (+)= Pd^T (T,T) @ dO (T,HS)
    gemm(s, d.t, d.hs, d.t, 1.0f, {pv + bi * d.nh * tt, d.t, true, tt}, {dyo, d.c, false, d.hs},
         beta, {dx + seq + 2 * d.c, ld, d.hs}, d.nh);
    // dPd (T,T) = dO (T,HS) @ V^T
    gemm(s, d.t, d.t, d.hs, 1.0f, {dyo, d.c, false, d.hs}, {x + seq + 2 * d.c, ld, true, d.hs},
         0.0f, {dp + bi * d.nh * tt, d.t, tt}, d.nh);
  }
  if (drop.active())
    apply_attention_dropout(dp, dp, d.b, d.nh, d.t, drop, false, s);
  softmax_grad_kernel<<<unsigned(d.b * d.nh * d.t), row_threads, 0, s.get()>>>(dp, p, d.t);
  check_launch(op);
  for (std::int64_t bi = 0; bi < d.b; ++bi) {
    auto seq = bi * d.t * ld;
    const float* ds = dp + bi * d.nh * tt;
    // dQ (+)= scale * dS (T,T) @ K (T,HS);  dK (+)= scale * dS^T @ Q
    gemm(s, d.t, d.hs, d.t, scale, {ds, d.t, false, tt}, {x + seq + d.c, ld, false, d.hs}, beta,
         {dx + seq, ld, d.hs}, d.nh);
    gemm(s, d.t, d.hs, d.t, scale, {ds, d.t, true, tt}, {x + seq, ld, false, d.hs}, beta,
         {dx + seq + d.c, ld, d.hs}, d.nh);
  }
}

} // namespace axon::ops::cuda
