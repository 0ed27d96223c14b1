// Gradient norm and scaling.
#include "ops/cpu/clip_grad.hpp"

#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <cmath>

namespace axon::ops {

double grad_sum_of_squares(const tensor& grad) {
  require(grad.defined() && grad.type() == dtype::f32, "clip_grad_norm",
          "gradient is " + grad.describe() + ", expected f32");
  const float* g = grad.data<float>();
  auto sums = parallel_accumulate(grad.numel(), 16384, 1,
                                  [=](std::int64_t begin, std::int64_t end, double* partial) {
                                    double s = 0.0;
                                    for (auto i = begin; i < end; ++i)
                                      s += double(g[i]) * double(g[i]);
                                    partial[0] = s;
                                  });
  return sums[0];
}

void scale_grad(const tensor& grad, float factor) {
  float* g = grad.data<float>();
  parallel_for(grad.numel(), 16384, [=](std::int64_t begin, std::int64_t end) {
    for (auto i = begin; i < end; ++i)
      g[i] *= factor;
  });
}

float clip_grad_norm(std::span<const tensor> grads, float max_norm) {
  double sum_sq = 0.0;
  for (const auto& g : grads)
    sum_sq += grad_sum_of_squares(g);
  auto norm = static_cast<float>(std::sqrt(sum_sq));
  if (max_norm > 0.0f && norm > max_norm) {
    float factor = max_norm / (norm + 1e-6f);
    for (const auto& g : grads)
      scale_grad(g, factor);
  }
  return norm;
}

} // namespace axon::ops
