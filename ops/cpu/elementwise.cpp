// Elementwise add and copy, split over the compute pool.
#include "ops/cpu/elementwise.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <cstring>

namespace axon::ops {

void add_into(const tensor& dst, const tensor& src) {
  require_same("add_into", "dst", dst, "src", src);
  require(dst.type() == dtype::f32, "add_into", "dst is " + dst.describe() + ", expected f32");
  float* d = dst.data<float>();
  const float* s = src.data<float>();
  auto add = simd().add;
  parallel_for(dst.numel(), 16384, [=](std::int64_t begin, std::int64_t end) {
    add(d, s, begin, end);
  });
}

void copy_into(const tensor& dst, const tensor& src) {
  require_same("copy_into", "dst", dst, "src", src);
  std::memcpy(dst.raw(), src.raw(), dst.nbytes());
}

} // namespace axon::ops
