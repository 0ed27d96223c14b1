// cuBLAS is column-major: a row-major C (M,N) is a column-major C^T (N,M), so
// C = op(A) op(B) is computed as C^T = op(B)^T op(A)^T, i.e. with A and B swapped.
// bf16: A and B are rounded to bf16 copies (scratch on the device, from the caching
// allocator) and multiplied with fp32 accumulation into the fp32 C.
#include "ops/cuda/gemm.hpp"

#include "ops/cuda/kernel_util.cuh"

#include <cuda_bf16.h>

#include <stdexcept>
#include <string>

namespace axon::ops::cuda {

namespace {

__global__ void round_to_bf16(__nv_bfloat16* out, const float* in, std::int64_t n) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = __float2bfloat16_rn(in[i]);
}

void check_blas(cublasStatus_t status) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string{"cublasGemmStridedBatchedEx failed: "}
                             + cublasGetStatusString(status));
}

// Elements spanned by `batch` operands of `rows` stored rows each.
std::int64_t span(const gemm_operand& x, std::int64_t rows, std::int64_t cols,
                  std::int64_t batch) {
  return (batch - 1) * x.stride + (rows - 1) * x.ld + cols;
}

// A bf16 copy of the elements an operand spans; the tensor keeps the scratch alive.
tensor bf16_copy(const op_stream& s, const gemm_operand& x, std::int64_t count) {
  auto copy = s.scratch({count}, dtype::bf16);
  round_to_bf16<<<blocks_for(count), threads_per_block, 0, s.get()>>>(
    static_cast<__nv_bfloat16*>(copy.raw()), x.data, count);
  check_launch("gemm (bf16 rounding)");
  return copy;
}

} // namespace

void gemm(const op_stream& s, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const gemm_operand& a, const gemm_operand& b, float beta, const gemm_output& c,
          std::int64_t batch) {
  if (m == 0 || n == 0 || batch == 0)
    return;
  const auto op_a = a.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  const auto op_b = b.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  const void* a_data = a.data;
  const void* b_data = b.data;
  auto in_type = CUDA_R_32F;
  auto compute = s.precision() == gemm_precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32
                                                       : CUBLAS_COMPUTE_32F;
  tensor a_bf16, b_bf16;
  if (s.precision() == gemm_precision::bf16 && k > 0) {
    // Stored shapes: op(A) (M,K) is A (K,M) when transposed; op(B) (K,N) is B (N,K).
    a_bf16 = bf16_copy(s, a, span(a, a.transposed ? k : m, a.transposed ? m : k, batch));
    b_bf16 = bf16_copy(s, b, span(b, b.transposed ? n : k, b.transposed ? k : n, batch));
    a_data = a_bf16.raw();
    b_data = b_bf16.raw();
    in_type = CUDA_R_16BF;
  }
  check_blas(cublasGemmStridedBatchedEx(
    s.blas(), op_b, op_a, int(n), int(m), int(k), &alpha, b_data, in_type, int(b.ld), b.stride,
    a_data, in_type, int(a.ld), a.stride, &beta, c.data, CUDA_R_32F, int(c.ld), c.stride,
    int(batch), compute, CUBLAS_GEMM_DEFAULT));
}

} // namespace axon::ops::cuda
