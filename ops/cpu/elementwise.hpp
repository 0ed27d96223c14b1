// Elementwise helpers for residual connections: dst += src.
#pragma once

#include "runtime/tensor.hpp"

namespace axon::ops {

/// dst += src (same shape, f32). The backward of y = a + b passes dy to both inputs.
void add_into(const tensor& dst, const tensor& src);

/// dst = src (same shape and dtype).
void copy_into(const tensor& dst, const tensor& src);

} // namespace axon::ops
