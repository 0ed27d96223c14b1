// simd_kernels.inc for any x86-64 CPU (SSE2, -march=x86-64, set in ops/CMakeLists.txt).
#define AXON_SIMD_TABLE simd_kernels_generic
#define AXON_SIMD_LEVEL isa_level::generic
#include "ops/cpu/simd_kernels.inc"
