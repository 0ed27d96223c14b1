// The shapes of an attention call (ops/cpu/attention.hpp), checked the same way by the
// CPU and the CUDA op. Legend: B batch, T sequence, C hidden, NH heads, HS = C / NH.
#pragma once

#include "ops/cpu/dropout.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>
#include <string_view>

namespace axon::ops {

struct attention_dims {
  std::int64_t b, t, c, nh, hs;
};

/// The dims of B sequences of T tokens, hidden size C, n_heads heads: C divisible by
/// n_heads and dropout p in [0, 1) (with dropout on, T and n_heads within what its draw
/// offsets number: ops/cpu/dropout.hpp), else an op_error naming `op`.
attention_dims attention_dims_of(std::string_view op, std::int64_t b, std::int64_t t,
                                 std::int64_t c, int n_heads, const dropout_spec& drop);
/// Checks qkv (B,T,3C), key_mask (B,T) i32 or undefined, both on `where`, C divisible by
/// n_heads and dropout p in [0, 1); throws op_error naming `op`.
attention_dims check_attention_inputs(std::string_view op, const tensor& qkv,
                                      const tensor& key_mask, int n_heads,
                                      const dropout_spec& drop, device where = device::cpu());
/// The same, and probs (B,NH,T,T) on `where`.
attention_dims check_attention(std::string_view op, const tensor& qkv, const tensor& probs,
                               const tensor& key_mask, int n_heads, const dropout_spec& drop,
                               device where = device::cpu());

} // namespace axon::ops
