// Attention forward/backward: one task per (sequence, head), each a handful of sgemm
// calls on strided views of qkv, so no head is ever copied out. With S = Q K^T * scale,
// P = softmax(S), Pd = dropout(P), O = Pd V:
//   dV = Pd^T dO,  dPd = dO V^T,  dP = dropout'(dPd),  dS = P * (dP - rowsum(dP * P)),
//   dQ = scale * dS K,  dK = scale * dS^T Q.
// On the padded layout a sequence spans T rows and its padding keys are masked; on packed
// rows it spans its own L rows and only the top-left L x L block of its (T,T) probability
// slot is used. The dropout draw of probability (b,h,i,j) is keyed by the example of
// sequence b and the offset attention_draw_offset(h, i, j) in both (ops/cpu/dropout.hpp),
// so the two layouts, and batches padded to any length, drop the same units.
#include "ops/cpu/attention.hpp"

#include "ops/attention_dims.hpp"
#include "ops/cpu/gemm.hpp"
#include "ops/cpu/simd_kernels.hpp"
#include "ops/cpu/softmax.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace axon::ops {

namespace {

// Per key of a sequence: 1 when attended, 0 when masked; every key 1 when none is
// attended (or there is no mask).
void key_weights(float* keep, const std::int32_t* mask, std::int64_t t) {
  bool any_attended = false;
  for (std::int64_t j = 0; j < t; ++j) {
    keep[j] = mask == nullptr || mask[j] != 0 ? 1.0f : 0.0f;
    any_attended |= keep[j] != 0.0f;
  }
  if (!any_attended)
    std::fill(keep, keep + t, 1.0f);
}

// One (sequence, head) task: the sequence's first row in qkv/out, its row count L, the
// key mask of the padded layout (null on packed rows), and its probability slot: (T,T)
// floats whose top-left L x L block (leading dimension T) holds P.
struct head_task {
  std::int64_t first_row, length;
  const std::int32_t* mask;
  std::int64_t slot; // element offset of the slot in probs
  std::int64_t b, h; // the sequence (its example keys the dropout draws) and the head
};

// The tasks of every (sequence, head), sequence-major.
std::vector<head_task> tasks_of(const attention_dims& d, const tensor& key_mask,
                                const packed_rows* rows) {
  std::vector<head_task> tasks;
  const std::int32_t* mask = key_mask.defined() ? key_mask.data<std::int32_t>() : nullptr;
  for (std::int64_t b = 0; b < d.b; ++b)
    for (std::int64_t h = 0; h < d.nh; ++h) {
      auto slot = (b * d.nh + h) * d.t * d.t;
      if (rows != nullptr)
        tasks.push_back({rows->starts[b], rows->lengths[b], nullptr, slot, b, h});
      else
        tasks.push_back({b * d.t, d.t, mask ? mask + b * d.t : nullptr, slot, b, h});
    }
  return tasks;
}

// The dropout multipliers of the L x L block, with leading dimension T: row i holds the
// draws of (h, i, 0 .. L-1) of the sequence's example.
void block_scales(float* scale, const head_task& task, std::int64_t t, const dropout_spec& drop) {
  for (std::int64_t i = 0; i < task.length; ++i)
    dropout_scales(scale + i * t, std::uint64_t(task.b), attention_draw_offset(task.h, i, 0),
                   task.length, drop);
}

void forward_tasks(const tensor& out, const tensor& probs, const tensor& qkv,
                   const attention_dims& d, const std::vector<head_task>& tasks,
                   const dropout_spec& drop) {
  const float* x = qkv.data<float>();
  float* p_all = probs.data<float>();
  float* y = out.data<float>();
  const float scale = 1.0f / std::sqrt(float(d.hs));
  const auto ld_qkv = int(3 * d.c), ld_p = int(d.t), hs = int(d.hs);
  const auto& kernels = simd();
  parallel_for(std::int64_t(tasks.size()), 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> pd(drop.active() ? d.t * d.t : 0), keep(d.t);
    for (auto k = begin; k < end; ++k) {
      const auto& task = tasks[k];
      const auto h = k % d.nh;
      const auto l = task.length;
      const float* q = x + task.first_row * 3 * d.c + h * d.hs;
      const float* kk = q + d.c;
      const float* v = q + 2 * d.c;
      float* p = p_all + task.slot;
      sgemm(CblasNoTrans, CblasTrans, int(l), int(l), hs, scale, q, ld_qkv, kk, ld_qkv, 0.0f, p,
            ld_p);
      key_weights(keep.data(), task.mask, l);
      for (std::int64_t i = 0; i < l; ++i)
        kernels.masked_softmax_row(p + i * d.t, p + i * d.t, keep.data(), l);
      const float* pv = p;
      if (drop.active()) {
        block_scales(pd.data(), task, d.t, drop);
        for (std::int64_t i = 0; i < l; ++i)
          kernels.scale(pd.data() + i * d.t, p + i * d.t, pd.data() + i * d.t, l, false);
        pv = pd.data();
      }
      sgemm(CblasNoTrans, CblasNoTrans, int(l), hs, int(l), 1.0f, pv, ld_p, v, ld_qkv, 0.0f,
            y + task.first_row * d.c + h * d.hs, int(d.c));
    }
  });
}

void backward_tasks(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                    const tensor& probs, const attention_dims& d,
                    const std::vector<head_task>& tasks, const dropout_spec& drop,
                    grad_write dqkv_write) {
  const float* x = qkv.data<float>();
  const float* p_all = probs.data<float>();
  const float* dy = dout.data<float>();
  float* dx = dqkv.data<float>();
  const float scale = 1.0f / std::sqrt(float(d.hs));
  const auto ld_qkv = int(3 * d.c), ld_p = int(d.t), hs = int(d.hs), c = int(d.c);
  // Each of dQ, dK, dV of a head is written by exactly one GEMM: beta 0 overwrites.
  const float beta = dqkv_write == grad_write::accumulate ? 1.0f : 0.0f;
  const auto& kernels = simd();
  parallel_for(std::int64_t(tasks.size()), 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> dp(d.t * d.t), ds(d.t * d.t), pd(drop.active() ? d.t * d.t : 0);
    std::vector<float> scales(drop.active() ? d.t * d.t : 0);
    for (auto k = begin; k < end; ++k) {
      const auto& task = tasks[k];
      const auto h = k % d.nh;
      const auto l = task.length;
      const auto head = task.first_row * 3 * d.c + h * d.hs;
      const float *q = x + head, *kk = q + d.c, *v = q + 2 * d.c;
      float *dq = dx + head, *dk = dq + d.c, *dv = dq + 2 * d.c;
      const float* dyo = dy + task.first_row * d.c + h * d.hs;
      const float* p = p_all + task.slot;
      const float* pv = p;
      if (drop.active()) {
        block_scales(scales.data(), task, d.t, drop);
        for (std::int64_t i = 0; i < l; ++i)
          kernels.scale(pd.data() + i * d.t, p + i * d.t, scales.data() + i * d.t, l, false);
        pv = pd.data();
      }
      // dV += Pd^T dO
      sgemm(CblasTrans, CblasNoTrans, int(l), hs, int(l), 1.0f, pv, ld_p, dyo, c, beta, dv,
            ld_qkv);
      // dPd = dO V^T, then through dropout
      sgemm(CblasNoTrans, CblasTrans, int(l), int(l), hs, 1.0f, dyo, c, v, ld_qkv, 0.0f,
            dp.data(), ld_p);
      if (drop.active())
        for (std::int64_t i = 0; i < l; ++i)
          kernels.scale(dp.data() + i * d.t, dp.data() + i * d.t, scales.data() + i * d.t, l,
                        false);
      for (std::int64_t i = 0; i < l; ++i) {
        std::fill_n(ds.data() + i * d.t, l, 0.0f);
        kernels.softmax_row_backward(ds.data() + i * d.t, dp.data() + i * d.t, p + i * d.t, l);
      }
      // dQ += scale * dS K;  dK += scale * dS^T Q
      sgemm(CblasNoTrans, CblasNoTrans, int(l), hs, int(l), scale, ds.data(), ld_p, kk, ld_qkv,
            beta, dq, ld_qkv);
      sgemm(CblasTrans, CblasNoTrans, int(l), hs, int(l), scale, ds.data(), ld_p, q, ld_qkv,
            beta, dk, ld_qkv);
    }
  });
}

// Checks of the packed calls: qkv (N,3C) holding the rows of `rows`, probs (B,NH,T,T).
attention_dims check_packed(std::string_view op, const tensor& qkv, const tensor& probs,
                            const packed_rows& rows, int n_heads, const dropout_spec& drop) {
  require(qkv.defined() && qkv.rank() == 2 && qkv.size(1) % 3 == 0, op,
          "qkv is " + qkv.describe() + ", expected packed rows (N,3C)");
  auto d = attention_dims_of(op, rows.b, rows.t, qkv.size(1) / 3, n_heads, drop);
  require_tensor(op, "qkv", qkv, {rows.count(), 3 * d.c});
  require_tensor(op, "probs", probs, {d.b, d.nh, d.t, d.t});
  require(std::int64_t(rows.starts.size()) == d.b && std::int64_t(rows.lengths.size()) == d.b,
          op, "the packing lists " + std::to_string(rows.starts.size()) + " sequences, expected "
                + std::to_string(d.b));
  for (std::int64_t b = 0; b < d.b; ++b)
    require(rows.lengths[b] >= 1 && rows.lengths[b] <= d.t && rows.starts[b] >= 0
              && rows.starts[b] + rows.lengths[b] <= rows.count(),
            op, "sequence " + std::to_string(b) + " of the packing is outside its rows");
  return d;
}

} // namespace

void attention_forward(const tensor& out, const tensor& probs, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop) {
  constexpr auto op = "attention_forward";
  auto d = check_attention(op, qkv, probs, key_mask, n_heads, drop);
  require_tensor(op, "out", out, {d.b, d.t, d.c});
  forward_tasks(out, probs, qkv, d, tasks_of(d, key_mask, nullptr), drop);
}

void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                        const tensor& probs, const tensor& key_mask, int n_heads,
                        const dropout_spec& drop, grad_write dqkv_write) {
  constexpr auto op = "attention_backward";
  auto d = check_attention(op, qkv, probs, key_mask, n_heads, drop);
  require_same(op, "dqkv", dqkv, "qkv", qkv);
  require_tensor(op, "dout", dout, {d.b, d.t, d.c});
  backward_tasks(dqkv, dout, qkv, probs, d, tasks_of(d, key_mask, nullptr), drop, dqkv_write);
}

void attention_forward_packed(const tensor& out, const tensor& probs, const tensor& qkv,
                              const packed_rows& rows, int n_heads, const dropout_spec& drop) {
  constexpr auto op = "attention_forward_packed";
  auto d = check_packed(op, qkv, probs, rows, n_heads, drop);
  require_tensor(op, "out", out, {rows.count(), d.c});
  forward_tasks(out, probs, qkv, d, tasks_of(d, tensor{}, &rows), drop);
}

void attention_backward_packed(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                               const tensor& probs, const packed_rows& rows, int n_heads,
                               const dropout_spec& drop, grad_write dqkv_write) {
  constexpr auto op = "attention_backward_packed";
  auto d = check_packed(op, qkv, probs, rows, n_heads, drop);
  require_same(op, "dqkv", dqkv, "qkv", qkv);
  require_tensor(op, "dout", dout, {rows.count(), d.c});
  backward_tasks(dqkv, dout, qkv, probs, d, tasks_of(d, tensor{}, &rows), drop, dqkv_write);
}

} // namespace axon::ops
