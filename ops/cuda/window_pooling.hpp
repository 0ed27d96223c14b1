// Pooling a long document's windows on the GPU (spec: ops/cpu/window_pooling.hpp). Legend:
// N windows of all documents, D documents, C hidden; offsets i32 (D+1) on the device. The
// offsets' order is not checked here (the host op checks it; callers check the host copy
// with check_window_offsets before uploading it); the kernels clamp them to [0, N], so bad
// offsets give wrong rows, never an access out of bounds. Sums are in double, as on the
// CPU; attention_pool_backward's dquery sums over windows in a fixed order (no atomics).
#pragma once

#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

void mean_pool_forward(const tensor& out, const tensor& inp, const tensor& offsets,
                       const op_stream& s);
void mean_pool_backward(const tensor& dinp, const tensor& dout, const tensor& offsets,
                        const op_stream& s);
void attention_pool_forward(const tensor& out, const tensor& probs, const tensor& inp,
                            const tensor& query, const tensor& offsets, const op_stream& s);
void attention_pool_backward(const tensor& dinp, const tensor& dquery, const tensor& dout,
                             const tensor& inp, const tensor& query, const tensor& probs,
                             const tensor& offsets, const op_stream& s);

} // namespace axon::ops::cuda
