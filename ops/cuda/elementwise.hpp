// Elementwise helpers on the GPU (spec: ops/cpu/elementwise.hpp).
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// dst += src (same shape, f32).
void add_into(const tensor& dst, const tensor& src, const op_stream& s);

/// t = 0 (any dtype), queued on the stream (tensor::zero_ waits for it instead).
void zero_fill(const tensor& t, const op_stream& s);

/// dst = src (same shape and dtype, any dtype).
void copy_into(const tensor& dst, const tensor& src, const op_stream& s);

} // namespace axon::ops::cuda
