// BERT input embeddings on the GPU (spec: ops/cpu/embedding.hpp):
// out[b,t] = wte[ids[b,t]] + wpe[t] + wtt[types[b,t]].
// Legend: B batch, T sequence length, C hidden, V vocab, P max positions, TT token types.
// ids and types live on the device; an id outside its table is not read (its row gets
// zeros / no gradient) and is reported by op_stream::synchronize().
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// out (B,T,C); ids (B,T) i32; types (B,T) i32 or undefined (all 0); wte (V,C);
/// wpe (P,C) with T <= P; wtt (TT,C) or undefined.
void embedding_forward(const tensor& out, const tensor& ids, const tensor& types,
                       const tensor& wte, const tensor& wpe, const tensor& wtt,
                       const op_stream& s);

/// Accumulates dwte (V,C), dwpe (P,C), dwtt (TT,C) (or undefined) from dout (B,T,C).
/// dwpe is summed in a fixed order; dwte and dwtt by atomic adds, whose order (and so the
/// last bits of a row used by several tokens) varies between runs.
void embedding_backward(const tensor& dwte, const tensor& dwpe, const tensor& dwtt,
                        const tensor& dout, const tensor& ids, const tensor& types,
                        const op_stream& s);

} // namespace axon::ops::cuda
