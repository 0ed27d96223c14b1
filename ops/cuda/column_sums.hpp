// Column sums on the device, the reduction behind bias and layernorm weight gradients.
#pragma once

#include "ops/cuda/op_stream.hpp"

#include <cstdint>

namespace axon::ops::cuda {

/// out[j] += sum over r of in[r * cols + j], for in (rows,cols), out (cols). Deterministic:
/// partial sums over fixed chunks of rows (in double), added in a fixed order.
void add_column_sums(float* out, const float* in, std::int64_t rows, std::int64_t cols,
                     const op_stream& s);

} // namespace axon::ops::cuda
