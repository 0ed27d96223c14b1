// BERT input embeddings: out[b,t] = wte[ids[b,t]] + wpe[t] + wtt[types[b,t]].
// Legend: B batch, T sequence length, C hidden, V vocab, P max positions, TT token types.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// out (B,T,C); ids (B,T) i32 in [0,V); types (B,T) i32 in [0,TT) or undefined (all 0);
/// wte (V,C); wpe (P,C) with T <= P; wtt (TT,C) or undefined (no token-type embedding).
void embedding_forward(const tensor& out, const tensor& ids, const tensor& types,
                       const tensor& wte, const tensor& wpe, const tensor& wtt);

/// Accumulates dwte (V,C), dwpe (P,C), dwtt (TT,C) (or undefined) from dout (B,T,C).
void embedding_backward(const tensor& dwte, const tensor& dwpe, const tensor& dwtt,
                        const tensor& dout, const tensor& ids, const tensor& types);

} // namespace axon::ops
