// dispatch: one `run` per op, taking the CPU call and (in CUDA builds) the CUDA call.
// ON_DEVICE(call) is a lambda over the compute's stream `s` in CUDA builds and nothing
// otherwise: there compute::on never returns a device compute, so it is never needed.
#include "ops/dispatch.hpp"

#include "ops/cpu/attention.hpp"
#include "ops/cpu/clip_grad.hpp"
#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/elementwise.hpp"
#include "ops/cpu/embedding.hpp"
#include "ops/cpu/entity_fusion.hpp"
#include "ops/cpu/first_rows.hpp"
#include "ops/cpu/window_pooling.hpp"
#include "ops/cpu/gather_rows.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/cpu/pooler.hpp"
#include "ops/cpu/softmax.hpp"

#include <stdexcept>
#include <string>

#if AXON_HAVE_CUDA
#include "ops/cuda/adamw.hpp"
#include "ops/cuda/attention.hpp"
#include "ops/cuda/clip_grad.hpp"
#include "ops/cuda/cross_entropy.hpp"
#include "ops/cuda/dropout.hpp"
#include "ops/cuda/elementwise.hpp"
#include "ops/cuda/embedding.hpp"
#include "ops/cuda/entity_fusion.hpp"
#include "ops/cuda/first_rows.hpp"
#include "ops/cuda/window_pooling.hpp"
#include "ops/cuda/flash_attention.hpp"
#include "ops/cuda/gather_rows.hpp"
#include "ops/cuda/gelu.hpp"
#include "ops/cuda/layernorm.hpp"
#include "ops/cuda/linear.hpp"
#include "ops/cuda/pooler.hpp"
#include "ops/cuda/softmax.hpp"
#define ON_DEVICE(call) [&](const cuda::op_stream& s) { return cuda::call; }
#else
#define ON_DEVICE(call) nullptr
#endif

namespace axon::ops::dispatch {

namespace {

template <class Host, class Device>
decltype(auto) run(const compute& c, Host&& host, [[maybe_unused]] Device&& on_device) {
  if (c.on_host())
    return host();
#if AXON_HAVE_CUDA
  return on_device(c.stream());
#else
  throw std::logic_error("ops::dispatch: a device compute in a build without CUDA");
#endif
}

} // namespace

void embedding_forward(const tensor& out, const tensor& ids, const tensor& types,
                       const tensor& wte, const tensor& wpe, const tensor& wtt, const compute& c) {
  run(c, [&] { ops::embedding_forward(out, ids, types, wte, wpe, wtt); },
      ON_DEVICE(embedding_forward(out, ids, types, wte, wpe, wtt, s)));
}

void embedding_backward(const tensor& dwte, const tensor& dwpe, const tensor& dwtt,
                        const tensor& dout, const tensor& ids, const tensor& types,
                        const compute& c) {
  run(c, [&] { ops::embedding_backward(dwte, dwpe, dwtt, dout, ids, types); },
      ON_DEVICE(embedding_backward(dwte, dwpe, dwtt, dout, ids, types, s)));
}

void entity_fusion_forward(const tensor& out, const tensor& entities, const tensor& ent,
                           const tensor& weight, const tensor& bias, const compute& c) {
  run(c, [&] { ops::entity_fusion_forward(out, entities, ent, weight, bias); },
      ON_DEVICE(entity_fusion_forward(out, entities, ent, weight, bias, s)));
}

void entity_fusion_backward(const tensor& dent, const tensor& dweight, const tensor& dbias,
                            const tensor& dout, const tensor& entities, const tensor& ent,
                            const tensor& weight, const compute& c) {
  run(c, [&] { ops::entity_fusion_backward(dent, dweight, dbias, dout, entities, ent, weight); },
      ON_DEVICE(entity_fusion_backward(dent, dweight, dbias, dout, entities, ent, weight, s)));
}

void layernorm_forward(const tensor& out, const tensor& mean, const tensor& rstd,
                       const tensor& inp, const tensor& weight, const tensor& bias, float eps,
                       const compute& c) {
  run(c, [&] { ops::layernorm_forward(out, mean, rstd, inp, weight, bias, eps); },
      ON_DEVICE(layernorm_forward(out, mean, rstd, inp, weight, bias, eps, s)));
}

void layernorm_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                        const tensor& dout, const tensor& inp, const tensor& weight,
                        const tensor& mean, const tensor& rstd, const compute& c,
                        grad_write dinp_write) {
  run(c,
      [&] {
        ops::layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, dinp_write);
      },
      ON_DEVICE(layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, s,
                                   dinp_write)));
}

void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec,
                     const compute& c) {
  run(c, [&] { ops::dropout_forward(out, inp, spec); },
      ON_DEVICE(dropout_forward(out, inp, spec, s)));
}

void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec,
                      const compute& c) {
  run(c, [&] { ops::dropout_backward(dinp, dout, spec); },
      ON_DEVICE(dropout_backward(dinp, dout, spec, s)));
}

void linear_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const compute& c) {
  run(c, [&] { ops::linear_forward(out, inp, weight, bias); },
      ON_DEVICE(linear_forward(out, inp, weight, bias, s)));
}

void linear_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const compute& c, grad_write dinp_write) {
  run(c, [&] { ops::linear_backward(dinp, dweight, dbias, dout, inp, weight, dinp_write); },
      ON_DEVICE(linear_backward(dinp, dweight, dbias, dout, inp, weight, s, dinp_write)));
}

shape attention_state_shape(std::int64_t b, std::int64_t n_heads, std::int64_t t,
                            const compute& c) {
  if (c.attention() == attention_kernel::fused)
    return {b, n_heads, t};
  return {b, n_heads, t, t};
}

void attention_forward(const tensor& out, const tensor& state, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop,
                       const compute& c) {
#if AXON_HAVE_CUDA
  if (c.attention() == attention_kernel::fused)
    return cuda::flash_attention_forward(out, state, qkv, key_mask, n_heads, drop, c.stream());
#endif
  run(c, [&] { ops::attention_forward(out, state, qkv, key_mask, n_heads, drop); },
      ON_DEVICE(attention_forward(out, state, qkv, key_mask, n_heads, drop, s)));
}

void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& out,
                        const tensor& qkv, const tensor& state, const tensor& key_mask,
                        int n_heads, const dropout_spec& drop, const compute& c,
                        grad_write dqkv_write) {
#if AXON_HAVE_CUDA
  if (c.attention() == attention_kernel::fused)
    return cuda::flash_attention_backward(dqkv, dout, out, qkv, state, key_mask, n_heads, drop,
                                          c.stream(), dqkv_write);
#endif
  run(c,
      [&] {
        ops::attention_backward(dqkv, dout, qkv, state, key_mask, n_heads, drop, dqkv_write);
      },
      ON_DEVICE(attention_backward(dqkv, dout, qkv, state, key_mask, n_heads, drop, s,
                                   dqkv_write)));
}

void gelu_forward(const tensor& out, const tensor& inp, const compute& c) {
  run(c, [&] { ops::gelu_forward(out, inp); }, ON_DEVICE(gelu_forward(out, inp, s)));
}

void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp, const compute& c,
                   grad_write dinp_write) {
  run(c, [&] { ops::gelu_backward(dinp, dout, inp, dinp_write); },
      ON_DEVICE(gelu_backward(dinp, dout, inp, s, dinp_write)));
}

void pooler_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const compute& c) {
  run(c, [&] { ops::pooler_forward(out, inp, weight, bias); },
      ON_DEVICE(pooler_forward(out, inp, weight, bias, s)));
}

void pooler_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const tensor& out, const compute& c) {
  run(c, [&] { ops::pooler_backward(dinp, dweight, dbias, dout, inp, weight, out); },
      ON_DEVICE(pooler_backward(dinp, dweight, dbias, dout, inp, weight, out, s)));
}

void first_rows_forward(const tensor& out, const tensor& inp, const compute& c) {
  run(c, [&] { ops::first_rows_forward(out, inp); }, ON_DEVICE(first_rows_forward(out, inp, s)));
}

void first_rows_backward(const tensor& dinp, const tensor& dout, const compute& c) {
  run(c, [&] { ops::first_rows_backward(dinp, dout); },
      ON_DEVICE(first_rows_backward(dinp, dout, s)));
}

void mean_pool_forward(const tensor& out, const tensor& inp, const tensor& offsets,
                       const compute& c) {
  run(c, [&] { ops::mean_pool_forward(out, inp, offsets); },
      ON_DEVICE(mean_pool_forward(out, inp, offsets, s)));
}

void mean_pool_backward(const tensor& dinp, const tensor& dout, const tensor& offsets,
                        const compute& c) {
  run(c, [&] { ops::mean_pool_backward(dinp, dout, offsets); },
      ON_DEVICE(mean_pool_backward(dinp, dout, offsets, s)));
}

void attention_pool_forward(const tensor& out, const tensor& probs, const tensor& inp,
                            const tensor& query, const tensor& offsets, const compute& c) {
  run(c, [&] { ops::attention_pool_forward(out, probs, inp, query, offsets); },
      ON_DEVICE(attention_pool_forward(out, probs, inp, query, offsets, s)));
}

void attention_pool_backward(const tensor& dinp, const tensor& dquery, const tensor& dout,
                             const tensor& inp, const tensor& query, const tensor& probs,
                             const tensor& offsets, const compute& c) {
  run(c, [&] { ops::attention_pool_backward(dinp, dquery, dout, inp, query, probs, offsets); },
      ON_DEVICE(attention_pool_backward(dinp, dquery, dout, inp, query, probs, offsets, s)));
}

void gather_rows_forward(const tensor& out, const tensor& inp, const tensor& index,
                         const compute& c) {
  run(c, [&] { ops::gather_rows_forward(out, inp, index); },
      ON_DEVICE(gather_rows_forward(out, inp, index, s)));
}

void gather_rows_backward(const tensor& dinp, const tensor& dout, const tensor& index,
                          const compute& c) {
  run(c, [&] { ops::gather_rows_backward(dinp, dout, index); },
      ON_DEVICE(gather_rows_backward(dinp, dout, index, s)));
}

float cross_entropy_forward(const tensor& losses, const tensor& probs, const tensor& logits,
                            const tensor& targets, const compute& c, int ignore_index) {
  return run(c,
             [&] {
               return ops::cross_entropy_forward(losses, probs, logits, targets, ignore_index);
             },
             ON_DEVICE(cross_entropy_forward(losses, probs, logits, targets, s, ignore_index)));
}

void cross_entropy_backward(const tensor& dlogits, const tensor& probs, const tensor& targets,
                            float dloss, const compute& c, int ignore_index) {
  run(c, [&] { ops::cross_entropy_backward(dlogits, probs, targets, dloss, ignore_index); },
      ON_DEVICE(cross_entropy_backward(dlogits, probs, targets, dloss, s, ignore_index)));
}

void softmax_forward(const tensor& out, const tensor& inp, const compute& c) {
  run(c, [&] { ops::softmax_forward(out, inp); }, ON_DEVICE(softmax_forward(out, inp, s)));
}

void add_into(const tensor& dst, const tensor& src, const compute& c) {
  run(c, [&] { ops::add_into(dst, src); }, ON_DEVICE(add_into(dst, src, s)));
}

void copy_into(const tensor& dst, const tensor& src, const compute& c) {
  run(c, [&] { ops::copy_into(dst, src); }, ON_DEVICE(copy_into(dst, src, s)));
}

void zero_fill(const tensor& t, const compute& c) {
  run(c, [&] { t.zero_(); }, ON_DEVICE(zero_fill(t, s)));
}

void adamw_update(const tensor& param, const tensor& grad, const tensor& m, const tensor& v,
                  const adamw_hparams& hp, std::int64_t step, const compute& c) {
  run(c, [&] { ops::adamw_update(param, grad, m, v, hp, step); },
      ON_DEVICE(adamw_update(param, grad, m, v, hp, step, s)));
}

float clip_grad_norm(std::span<const tensor> grads, float max_norm, const compute& c) {
  return run(c, [&] { return ops::clip_grad_norm(grads, max_norm); },
             ON_DEVICE(clip_grad_norm(grads, max_norm, s)));
}

double grad_sum_of_squares(const tensor& grad, const compute& c) {
  return run(c, [&] { return ops::grad_sum_of_squares(grad); },
             ON_DEVICE(grad_sum_of_squares(grad, s)));
}

void scale_grad(const tensor& grad, float factor, const compute& c) {
  run(c, [&] { ops::scale_grad(grad, factor); }, ON_DEVICE(scale_grad(grad, factor, s)));
}

} // namespace axon::ops::dispatch
