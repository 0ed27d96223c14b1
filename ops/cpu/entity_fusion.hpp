// ERNIE-style knowledge fusion: at every token linked to a KG entity, add a learned
// projection of the entity's embedding to the token's representation:
//   out[b,t] += W ent[entities[b,t]] + bias   where entities[b,t] >= 0 (-1: not linked).
// Legend: B batch, T sequence, C hidden, E entities, D entity embedding width.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

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
