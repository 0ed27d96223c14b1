// Argument checks of attention, shared by the CPU and CUDA ops.
#include "ops/attention_dims.hpp"

#include "ops/op_error.hpp"

namespace axon::ops {

attention_dims attention_dims_of(std::string_view op, std::int64_t b, std::int64_t t,
                                 std::int64_t c, int n_heads, const dropout_spec& drop) {
  require(n_heads > 0 && c % n_heads == 0, op,
          "hidden size " + std::to_string(c) + " is not divisible by " + std::to_string(n_heads)
            + " heads");
  require(drop.p >= 0.0f && drop.p < 1.0f, op, "dropout p must be in [0, 1)");
  if (drop.active()) {
    require(t <= attention_draw_stride, op,
            "dropout numbers sequences of up to " + std::to_string(attention_draw_stride)
              + " tokens, got " + std::to_string(t));
    require(std::int64_t{n_heads} * attention_draw_stride * attention_draw_stride
              <= max_draw_offset,
            op, "dropout numbers up to "
                  + std::to_string(max_draw_offset / attention_draw_stride / attention_draw_stride)
                  + " heads, got " + std::to_string(n_heads));
  }
  return {b, t, c, n_heads, c / n_heads};
}

attention_dims check_attention_inputs(std::string_view op, const tensor& qkv,
                                      const tensor& key_mask, int n_heads,
                                      const dropout_spec& drop, device where) {
  require(qkv.defined() && qkv.rank() == 3 && qkv.size(2) % 3 == 0, op,
          "qkv is " + qkv.describe() + ", expected (B,T,3C)");
  auto d = attention_dims_of(op, qkv.size(0), qkv.size(1), qkv.size(2) / 3, n_heads, drop);
  require_tensor(op, "qkv", qkv, {d.b, d.t, 3 * d.c}, dtype::f32, where);
  if (key_mask.defined())
    require_tensor(op, "key_mask", key_mask, {d.b, d.t}, dtype::i32, where);
  return d;
}

attention_dims check_attention(std::string_view op, const tensor& qkv, const tensor& probs,
                               const tensor& key_mask, int n_heads, const dropout_spec& drop,
                               device where) {
  auto d = check_attention_inputs(op, qkv, key_mask, n_heads, drop, where);
  require_tensor(op, "probs", probs, {d.b, d.nh, d.t, d.t}, dtype::f32, where);
  return d;
}

} // namespace axon::ops
