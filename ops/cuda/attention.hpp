// Multi-head self-attention with a key padding mask on the GPU (spec: ops/cpu/attention.hpp).
// Legend: B batch, T sequence, C hidden, NH heads, HS = C / NH head size. qkv (B,T,3C)
// holds Q, K, V in column blocks [0,C), [C,2C), [2C,3C); head h uses [h*HS, (h+1)*HS).
// This version materialises the scores (B,NH,T,T) and runs cuBLAS strided-batched GEMMs
// over the heads of each sequence; a fused (flash-style) kernel is the next step.
#pragma once

#include "ops/cpu/dropout.hpp"
#include "ops/cuda/op_stream.hpp"
#include "ops/grad_write.hpp"

namespace axon::ops::cuda {

/// out (B,T,C); probs (B,NH,T,T) receives the softmax (before dropout) for backward;
/// key_mask (B,T) i32 (1 real, 0 padding) or undefined. Dropout on the probabilities
/// draws the CPU op's mask (counter = flat index in probs).
void attention_forward(const tensor& out, const tensor& probs, const tensor& qkv,
                       const tensor& key_mask, int n_heads, const dropout_spec& drop,
                       const op_stream& s);

/// Accumulates dqkv (B,T,3C) from dout (B,T,C) (or overwrites it).
void attention_backward(const tensor& dqkv, const tensor& dout, const tensor& qkv,
                        const tensor& probs, const tensor& key_mask, int n_heads,
                        const dropout_spec& drop, const op_stream& s,
                        grad_write dqkv_write = grad_write::accumulate);

} // namespace axon::ops::cuda
