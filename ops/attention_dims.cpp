// Argument checks of attention, shared by the CPU and CUDA ops.
#include "ops/attention_dims.hpp"

#include "ops/op_error.hpp"

namespace axon::ops {

attention_dims check_attention_inputs(std::string_view op, const tensor& qkv,
                                      const tensor& key_mask, int n_heads,
                                      const dropout_spec& drop, device where) {
  require(qkv.defined() && qkv.rank() == 3 && qkv.size(2) % 3 == 0, op,
          "qkv is " + qkv.describe() + ", expected (B,T,3C)");
  attention_dims d{qkv.size(0), qkv.size(1), qkv.size(2) / 3, n_heads, 0};
  require(n_heads > 0 && d.c % n_heads == 0, op,
          "hidden size " + std::to_string(d.c) + " is not divisible by " + std::to_string(n_heads)
            + " heads");
  d.hs = d.c / n_heads;
  require_tensor(op, "qkv", qkv, {d.b, d.t, 3 * d.c}, dtype::f32, where);
  if (key_mask.defined())
    require_tensor(op, "key_mask", key_mask, {d.b, d.t}, dtype::i32, where);
  require(drop.p >= 0.0f && drop.p < 1.0f, op, "dropout p must be in [0, 1)");
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
