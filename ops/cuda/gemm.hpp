// Row-major GEMMs on cuBLAS at the op_stream's precision, for the CUDA ops:
//   C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C,  op(X) = X or X^T,
// leading dimensions in elements of the stored (row-major) matrices, as in cblas_sgemm.
// A strided batch repeats it `batch` times with A += stride_a, B += stride_b, C += stride_c.
#pragma once

#include "ops/cuda/op_stream.hpp"

#include <cstdint>

namespace axon::ops::cuda {

struct gemm_operand {
  const float* data;
  std::int64_t ld;
  bool transposed = false;
  std::int64_t stride = 0; // elements between batch entries
};

struct gemm_output {
  float* data;
  std::int64_t ld;
  std::int64_t stride = 0;
};

void gemm(const op_stream& s, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const gemm_operand& a, const gemm_operand& b, float beta, const gemm_output& c,
          std::int64_t batch = 1);

} // namespace axon::ops::cuda
