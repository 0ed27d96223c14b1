// The run-time choice among the builds of the own loops.
#include "ops/cpu/simd_kernels.hpp"

#include "ops/cpu/cpu_kernels.hpp"

namespace axon::ops {

extern const simd_kernels simd_kernels_generic;
extern const simd_kernels simd_kernels_avx2;
extern const simd_kernels simd_kernels_avx512;

const simd_kernels& simd_kernels_for(isa_level level) {
  switch (level) {
  case isa_level::avx512: return simd_kernels_avx512;
  case isa_level::avx2: return simd_kernels_avx2;
  case isa_level::avx:
  case isa_level::generic: return simd_kernels_generic;
  }
  return simd_kernels_generic;
}

const simd_kernels& simd() {
  static const simd_kernels& chosen = simd_kernels_for(cpu_kernels().simd_level);
  return chosen;
}

} // namespace axon::ops
