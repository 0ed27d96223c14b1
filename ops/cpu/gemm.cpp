#include "ops/cpu/gemm.hpp"

#include "ops/cpu/cpu_kernels.hpp"

namespace axon::ops {

void sgemm(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int m, int n, int k, float alpha,
           const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cpu_kernels();
  cblas_sgemm(CblasRowMajor, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

} // namespace axon::ops
