// Multi-head scaled dot-product self-attention with a key padding mask (BERT).
// Legend: B batch, T sequence, C hidden, NH heads, HS = C / NH head size.
// qkv (B,T,3C) holds Q in columns [0,C), K in [C,2C), V in [2C,3C); head h uses columns
// [h*HS, (h+1)*HS) of each (the layout of Hugging Face's query/key/value stacked).
#pragma once

#include "ops/cpu/dropout.hpp"
#include "ops/cpu/packed_rows.hpp"
#include "ops/grad_write.hpp"
#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (B,T,C): per head, softmax(Q K^T / sqrt(HS) over unmasked keys) V, with dropout on
/// the probabilities. probs (B,NH,T,T) receives the softmax output (before dropout) for
/// backward. key_mask (B,T) i32, 1 = real token, 0 = padding; undefined = all real.
/// Masked keys get probability 0; a row whose keys are all masked attends to all keys.
void attention_forward(const tensor& out, const tensor& probs, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop);

/// Accumulates dqkv (B,T,3C) from dout (B,T,C) (or overwrites it); probs as saved by
/// forward; the dropout mask is regenerated from `drop`.
void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                        const tensor& probs, const tensor& key_mask, int n_heads,
                        const dropout_spec& drop,
                        grad_write dqkv_write = grad_write::accumulate);

/// The same on packed rows (packed_rows.hpp): qkv (N,3C) and out (N,C) hold the real tokens
/// of `rows`' B sequences back to back, so there are no keys to mask. probs (B,NH,T,T):
/// sequence b's probabilities fill the top-left L x L block of its T x T slots (L its
/// length), and its dropout draws are those of the padded call's slot, so the two calls
/// agree on every real token.
void attention_forward_packed(const tensor& out, const tensor& probs, const tensor& qkv,
                              const packed_rows& rows, int n_heads, const dropout_spec& drop);
/// Backward of attention_forward_packed: dqkv (N,3C) from dout (N,C).
void attention_backward_packed(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                               const tensor& probs, const packed_rows& rows, int n_heads,
                               const dropout_spec& drop,
                               grad_write dqkv_write = grad_write::accumulate);

} // namespace axon::ops
