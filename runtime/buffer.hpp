// ensure_shape: (re)uses a tensor as a buffer of a given shape. Storage is kept when it is
// large enough, so activations sized per batch (dynamic padding) are not reallocated
// every step.
#pragma once

#include "runtime/tensor.hpp"

namespace axon {

/// Makes `t` a tensor of `sizes` and `type` on `where`, reusing its storage when it is
/// there and big enough. Contents are unspecified afterwards.
inline void ensure_shape(tensor& t, const shape& sizes, dtype type = dtype::f32,
                         device where = device::cpu()) {
  auto need = static_cast<std::size_t>(sizes.numel()) * dtype_size(type);
  if (t.defined() && t.where() == where && t.offset() == 0 && t.bytes()->bytes() >= need) {
    if (t.sizes() != sizes || t.type() != type)
      t = tensor::from_storage(t.bytes(), 0, sizes, type);
    return;
  }
  t = tensor::empty(sizes, type, where);
}

} // namespace axon
