// The ops that layer code calls, with the CPU ops' signatures plus a trailing compute
// (before any grad_write): each runs the CPU op on the host or the CUDA op on the
// compute's stream (attention: the kernel compute::attention names, whose saved state
// differs, hence attention_state_shape). Device calls queue work and return, as
// ops/cuda/ does; only cross_entropy_forward, clip_grad_norm and grad_sum_of_squares wait
// (they return host values) and entity fusion (it lists the linked positions on the
// host).
#pragma once

#include "ops/compute.hpp"
#include "ops/cpu/adamw.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/grad_write.hpp"
#include "runtime/tensor.hpp"

#include <span>

namespace axon::ops::dispatch {

constexpr auto accumulate = grad_write::accumulate;

void embedding_forward(const tensor& out, const tensor& ids, const tensor& types,
                       const tensor& wte, const tensor& wpe, const tensor& wtt, const compute& c);
void embedding_backward(const tensor& dwte, const tensor& dwpe, const tensor& dwtt,
                        const tensor& dout, const tensor& ids, const tensor& types,
                        const compute& c);
void entity_fusion_forward(const tensor& out, const tensor& entities, const tensor& ent,
                           const tensor& weight, const tensor& bias, const compute& c);
void entity_fusion_backward(const tensor& dent, const tensor& dweight, const tensor& dbias,
                            const tensor& dout, const tensor& entities, const tensor& ent,
                            const tensor& weight, const compute& c);
void layernorm_forward(const tensor& out, const tensor& mean, const tensor& rstd,
                       const tensor& inp, const tensor& weight, const tensor& bias, float eps,
                       const compute& c);
void layernorm_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                        const tensor& dout, const tensor& inp, const tensor& weight,
                        const tensor& mean, const tensor& rstd, const compute& c,
                        grad_write dinp_write = accumulate);
void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec,
                     const compute& c);
void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec,
                      const compute& c);
void linear_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const compute& c);
void linear_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const compute& c, grad_write dinp_write = accumulate);
/// What attention keeps for backward on `c` (compute::attention): the probabilities
/// (B,NH,T,T), or with fused attention the log-sum-exps (B,NH,T).
shape attention_state_shape(std::int64_t b, std::int64_t n_heads, std::int64_t t,
                            const compute& c);
/// `state` of attention_state_shape.
void attention_forward(const tensor& out, const tensor& state, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop,
                       const compute& c);
/// Also takes forward's `out` (the fused kernel needs it; the others ignore it).
void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& out,
                        const tensor& qkv, const tensor& state, const tensor& key_mask,
                        int n_heads, const dropout_spec& drop, const compute& c,
                        grad_write dqkv_write = accumulate);
void gelu_forward(const tensor& out, const tensor& inp, const compute& c);
void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp, const compute& c,
                   grad_write dinp_write = accumulate);
void pooler_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias, const compute& c);
void pooler_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     const tensor& out, const compute& c);
void first_rows_forward(const tensor& out, const tensor& inp, const compute& c);
void gather_rows_forward(const tensor& out, const tensor& inp, const tensor& index,
                         const compute& c);
void gather_rows_backward(const tensor& dinp, const tensor& dout, const tensor& index,
                          const compute& c);
void first_rows_backward(const tensor& dinp, const tensor& dout, const compute& c);
float cross_entropy_forward(const tensor& losses, const tensor& probs, const tensor& logits,
                            const tensor& targets, const compute& c, int ignore_index = -100);
void cross_entropy_backward(const tensor& dlogits, const tensor& probs, const tensor& targets,
                            float dloss, const compute& c, int ignore_index = -100);
void softmax_forward(const tensor& out, const tensor& inp, const compute& c);
/// Window pooling (ops/cpu/window_pooling.hpp); offsets on `c`'s device (the device op
/// does not check their order: check the host copy with check_window_offsets).
void mean_pool_forward(const tensor& out, const tensor& inp, const tensor& offsets,
                       const compute& c);
void mean_pool_backward(const tensor& dinp, const tensor& dout, const tensor& offsets,
                        const compute& c);
void attention_pool_forward(const tensor& out, const tensor& probs, const tensor& inp,
                            const tensor& query, const tensor& offsets, const compute& c);
void attention_pool_backward(const tensor& dinp, const tensor& dquery, const tensor& dout,
                             const tensor& inp, const tensor& query, const tensor& probs,
                             const tensor& offsets, const compute& c);
void add_into(const tensor& dst, const tensor& src, const compute& c);
void copy_into(const tensor& dst, const tensor& src, const compute& c);
/// t = 0; on a device queued on the stream (tensor::zero_ would wait for it).
void zero_fill(const tensor& t, const compute& c);
void adamw_update(const tensor& param, const tensor& grad, const tensor& m, const tensor& v,
                  const adamw_hparams& hp, std::int64_t step, const compute& c);
float clip_grad_norm(std::span<const tensor> grads, float max_norm, const compute& c);
double grad_sum_of_squares(const tensor& grad, const compute& c);
void scale_grad(const tensor& grad, float factor, const compute& c);

} // namespace axon::ops::dispatch
