// Fused (flash-style) multi-head self-attention on the GPU: the same function as
// ops/cpu/attention.hpp (key padding mask, dropout on the probabilities with the CPU
// op's mask, counter = flat index in (B,NH,T,T)), but the (B,NH,T,T) probabilities are
// never stored. Forward keeps each query row's log-sum-exp; backward recomputes the
// probabilities tile by tile from it (FlashAttention, Dao et al. 2022, without tensor
// cores: fp32 on CUDA cores, one warp per query or key row).
// Legend: B batch, T sequence, C hidden, NH heads, HS = C / NH (at most 128).
#pragma once

#include "ops/cpu/dropout.hpp"
#include "ops/cuda/op_stream.hpp"
#include "ops/grad_write.hpp"

namespace axon::ops::cuda {

/// out (B,T,C); lse (B,NH,T) receives log sum_j exp(score_ij) over the attended keys of
/// each query row (what backward needs); key_mask (B,T) i32 (1 real, 0 padding) or
/// undefined.
void flash_attention_forward(const tensor& out, const tensor& lse, const tensor& qkv,
                             const tensor& key_mask, int n_heads, const dropout_spec& drop,
                             const op_stream& s);

/// Accumulates dqkv (B,T,3C) from dout (B,T,C) (or overwrites it), given forward's out
/// and lse.
void flash_attention_backward(const tensor& dqkv, const tensor& dout, const tensor& out,
                              const tensor& qkv, const tensor& lse, const tensor& key_mask,
                              int n_heads, const dropout_spec& drop, const op_stream& s,
                              grad_write dqkv_write = grad_write::accumulate);

} // namespace axon::ops::cuda
