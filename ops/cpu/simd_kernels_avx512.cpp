// simd_kernels.inc for AVX-512 (-march=x86-64-v4 with 512-bit vectors preferred, set in
// ops/CMakeLists.txt; GCC otherwise keeps to 256-bit vectors on AVX-512 targets).
#define AXON_SIMD_TABLE simd_kernels_avx512
#define AXON_SIMD_LEVEL isa_level::avx512
#include "ops/cpu/simd_kernels.inc"
