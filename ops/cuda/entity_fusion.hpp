// Entity fusion on the GPU (spec: ops/cpu/entity_fusion.hpp): out[b,t] += W ent[id] + bias
// at the linked positions. Built from other CUDA ops: the linked positions are listed on
// the host (entities may be there already; device ids are copied, which waits for the
// stream), then
// gather_rows picks the entity rows, linear projects them and gather_rows' adjoint adds
// them in at their positions.
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out (B,T,C) += at linked positions; entities (B,T) i32 in [-1,E), on the host or the
/// device (-1: not linked, an id outside is an op_error); ent (E,D); weight (C,D); bias (C).
void entity_fusion_forward(const tensor& out, const tensor& entities, const tensor& ent,
                           const tensor& weight, const tensor& bias, const op_stream& s);

/// Accumulates dweight (C,D), dbias (C) and, when defined, dent (E,D) from dout (B,T,C)
/// at the linked positions.
void entity_fusion_backward(const tensor& dent, const tensor& dweight, const tensor& dbias,
                            const tensor& dout, const tensor& entities, const tensor& ent,
                            const tensor& weight, const op_stream& s);

} // namespace axon::ops::cuda
