// Helpers of the GPU tests: host <-> device copies and the normalised error of a CUDA
// result against the CPU op's, ||got - want||_2 / ||want||_2 (ggml's test-backend-ops
// measure), with a threshold per GEMM precision.
#pragma once

#include "ops/cuda/op_stream.hpp"
#include "runtime/cuda/stream.hpp"
#include "runtime/tensor.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

namespace axon::test {

inline const device gpu = device::cuda(0);

inline tensor on_gpu(const tensor& host) { return host.to(gpu); }

/// An op_stream that is also the thread's current stream while it lives, so the test's
/// uploads, downloads and device allocations are ordered with the ops on it: a temporary
/// input freed while its kernel is queued is reused only by later work on that stream.
struct ordered_stream {
  explicit ordered_stream(ops::cuda::gemm_precision p = ops::cuda::gemm_precision::f32)
    : ops(0, p), guard(ops.get()) {}
  ops::cuda::op_stream ops;
  axon::cuda::stream_guard guard; // declared after ops: restored before ops is destroyed
};

/// Normalised error; 0 when both are all zero.
inline double normalised_error(const tensor& got, const tensor& want) {
  const float *g = got.data<float>(), *w = want.data<float>();
  double diff = 0.0, norm = 0.0;
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    diff += (double(g[i]) - w[i]) * (double(g[i]) - w[i]);
    norm += double(w[i]) * w[i];
  }
  return norm == 0.0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

/// Waits for `s`, copies `got` (device) to the host and checks it against `want` (host).
inline void expect_near(const std::string& what, const ops::cuda::op_stream& s,
                        const tensor& got, const tensor& want, double threshold) {
  s.synchronize();
  auto host = got.to(device::cpu());
  BOOST_TEST_REQUIRE((host.sizes() == want.sizes()), what << ": shape " << host.describe());
  auto error = normalised_error(host, want);
  BOOST_TEST(error <= threshold, what << ": normalised error " << error << " > " << threshold);
}

/// Per-precision thresholds for results that go through GEMMs; elementwise ops use f32.
inline double gemm_threshold(ops::cuda::gemm_precision p) {
  switch (p) {
    case ops::cuda::gemm_precision::f32: return 1e-5;
    case ops::cuda::gemm_precision::tf32: return 5e-3;  // 10-bit mantissa inputs
    case ops::cuda::gemm_precision::bf16: return 2e-2;  // 7-bit mantissa inputs
  }
  return 0;
}

inline const char* precision_name(ops::cuda::gemm_precision p) {
  switch (p) {
    case ops::cuda::gemm_precision::f32: return "f32";
    case ops::cuda::gemm_precision::tf32: return "tf32";
    case ops::cuda::gemm_precision::bf16: return "bf16";
  }
  return "?";
}

constexpr double f32_threshold = 1e-5;

} // namespace axon::test
