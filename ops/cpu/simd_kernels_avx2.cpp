// simd_kernels.inc for AVX2 + FMA (-march=x86-64-v3, set in ops/CMakeLists.txt).
#define AXON_SIMD_TABLE simd_kernels_avx2
#define AXON_SIMD_LEVEL isa_level::avx2
#include "ops/cpu/simd_kernels.inc"
