// ERNIE-style knowledge fusion: at every token linked to a KG entity, add a learned
// projection of the entity's embedding to the token's representation:
//   out[b,t] += W ent[entities[b,t]] + bias   where entities[b,t] >= 0 (-1: not linked).
// Legend: B batch, T sequence, C hidden, E entities, D entity embedding width.
#pragma once

#include "runtime/tensor.hpp"

#include <string_view>

namespace axon::ops {

struct fusion_dims {
  std::int64_t rows, c, d; // rows of out (B*T), hidden C, entity width D
};

/// Checks out (...,C), entities (one i32 id in [-1,E) per row of out, on the host), ent
/// (E,D) and weight (C,D); out, ent and weight f32 on `where` (the CUDA op passes its
/// device). Throws op_error naming `op`.
fusion_dims check_entity_fusion(std::string_view op, const tensor& out, const tensor& entities,
                                const tensor& ent, const tensor& weight,
                                device where = device::cpu());

/// out (B,T,C) += at linked positions; entities (B,T) i32 in [-1,E); ent (E,D);
/// weight (C,D); bias (C).
void entity_fusion_forward(const tensor& out, const tensor& entities, const tensor& ent,
                           const tensor& weight, const tensor& bias);

/// Accumulates dweight (C,D), dbias (C) and, when defined, dent (E,D) (undefined: the
/// entity embeddings are frozen) from dout (B,T,C) at the linked positions.
void entity_fusion_backward(const tensor& dent, const tensor& dweight, const tensor& dbias,
                            const tensor& dout, const tensor& entities, const tensor& ent,
                            const tensor& weight);

} // namespace axon::ops
