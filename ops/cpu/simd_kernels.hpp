// Axon's own loops (GELU, softmax, LayerNorm, AdamW, embedding scatter, dropout, adds),
// built once per instruction-set level and chosen at run time, so one binary runs AVX-512
// loops where the CPU has AVX-512 and AVX2 loops elsewhere. The ops (gelu.cpp, ...) check
// arguments and split work over the compute pool; these are their inner loops over raw
// ranges. The bodies live in simd_kernels.inc, compiled by simd_kernels_avx2.cpp and
// simd_kernels_avx512.cpp with different -march flags.
#pragma once

#include "ops/cpu/cpu_features.hpp"

#include <cstdint>

namespace axon::ops {

struct layernorm_row_stats {
  float mean, rstd;
};

struct adamw_coefficients {
  float decay;                 // 1 - lr * weight_decay
  float step_size;             // lr / (1 - beta1^step)
  float bias_correction2_sqrt; // sqrt(1 - beta2^step)
  float beta1, beta2, eps;
};

struct simd_kernels {
  isa_level level;
  /// y[i] = gelu(x[i]) (exact-erf form) for i in [begin, end).
  void (*gelu_forward)(float* y, const float* x, std::int64_t begin, std::int64_t end);
  /// dx[i] (+)= dy[i] * gelu'(x[i]) for i in [begin, end).
  void (*gelu_backward)(float* dx, const float* dy, const float* x, std::int64_t begin,
                        std::int64_t end, bool accumulate);
  /// out = softmax(inp) over `count` entries (out may be inp).
  void (*softmax_row)(float* out, const float* inp, std::int64_t count);
  /// dinp += out * (dout - <dout, out>) over `count` entries.
  void (*softmax_row_backward)(float* dinp, const float* dout, const float* out,
                               std::int64_t count);
  /// p = softmax of s over the entries with keep 1; entries with keep 0 get exactly 0.
  void (*masked_softmax_row)(float* p, const float* s, const float* keep, std::int64_t count);
  /// One LayerNorm row of `c` entries: y = (x - mean) * rstd * w + b; returns mean, rstd.
  layernorm_row_stats (*layernorm_forward_row)(float* y, const float* x, const float* w,
                                               const float* b, std::int64_t c, float eps);
  /// One LayerNorm row's backward: dx (+)= ..., partial[0:c] += dy * xhat (dweight),
  /// partial[c:2c] += dy (dbias).
  void (*layernorm_backward_row)(float* dx, double* partial, const float* dy, const float* x,
                                 const float* w, layernorm_row_stats stats, std::int64_t c,
                                 bool accumulate);
  /// AdamW over [begin, end) of parameters p, moments m and v, gradients g.
  void (*adamw)(float* p, float* m, float* v, const float* g, std::int64_t begin,
                std::int64_t end, adamw_coefficients k);
  /// dst[i] += src[i] for i in [begin, end) (embedding rows, their scatter-adds, add_into).
  void (*add)(float* dst, const float* src, std::int64_t begin, std::int64_t end);
  /// y[i] (+)= x[i] * scale[i] for i in [0, n) (dropout masks).
  void (*scale)(float* y, const float* x, const float* scale, std::int64_t n, bool accumulate);
};

/// The loops of one level: avx2 or avx512 (others have none).
const simd_kernels& simd_kernels_for(isa_level level);

/// The loops every op uses: the highest level this CPU runs, unless AXON_SIMD names a
/// lower one (see cpu_kernels.hpp). Chosen once, at first use.
const simd_kernels& simd();

} // namespace axon::ops
