// Elementwise helpers on the GPU (spec: ops/cpu/elementwise.hpp).
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// dst += src (same shape, f32).
void add_into(const tensor& dst, const tensor& src, const op_stream& s);

/// dst = src (same shape and dtype, any dtype).
void copy_into(const tensor& dst, const tensor& src, const op_stream& s);

} // namespace axon::ops::cuda
