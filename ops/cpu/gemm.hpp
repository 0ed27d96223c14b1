// Row-major single-precision GEMM for the CPU ops: C = alpha op(A) op(B) + beta C, through
// OpenBLAS on the core cpu_kernels() chose (the first call makes that choice).
#pragma once

#include <cblas.h>

namespace axon::ops {

void sgemm(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int m, int n, int k, float alpha,
           const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

} // namespace axon::ops
