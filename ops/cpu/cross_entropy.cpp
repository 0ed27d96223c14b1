// Cross-entropy forward/backward. The loss uses log-sum-exp in double, so that large
// logits neither overflow nor lose the small differences that decide the loss.
#include "ops/cpu/cross_entropy.hpp"

#include "ops/cpu/softmax.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <cmath>

namespace axon::ops {

namespace {

struct ce_dims {
  std::int64_t n, v;
};

ce_dims check_targets(std::string_view op, const tensor& probs, const tensor& targets,
                      int ignore_index) {
  require(probs.defined() && probs.rank() == 2 && probs.size(1) > 0, op,
          "probs/logits is " + probs.describe() + ", expected (N,V) with V >= 1");
  ce_dims d{probs.size(0), probs.size(1)};
  require_tensor(op, "probs", probs, {d.n, d.v});
  require_tensor(op, "targets", targets, {d.n}, dtype::i32);
  const std::int32_t* y = targets.data<std::int32_t>();
  for (std::int64_t r = 0; r < d.n; ++r)
    require(y[r] == ignore_index || (y[r] >= 0 && y[r] < d.v), op,
            "targets[" + std::to_string(r) + "] = " + std::to_string(y[r]) + " is outside [0,"
              + std::to_string(d.v) + ") and is not the ignore index "
              + std::to_string(ignore_index));
  return d;
}

std::int64_t counted_rows(const tensor& targets, int ignore_index) {
  const std::int32_t* y = targets.data<std::int32_t>();
  std::int64_t count = 0;
  for (std::int64_t r = 0; r < targets.numel(); ++r)
    count += y[r] != ignore_index;
  return count;
}

} // namespace

float cross_entropy_forward(const tensor& losses, const tensor& probs, const tensor& logits,
                            const tensor& targets, int ignore_index) {
  constexpr auto op = "cross_entropy_forward";
  auto d = check_targets(op, logits, targets, ignore_index);
  require_tensor(op, "probs", probs, {d.n, d.v});
  require_tensor(op, "losses", losses, {d.n});
  const float* z = logits.data<float>();
  const std::int32_t* y = targets.data<std::int32_t>();
  float *p = probs.data<float>(), *l = losses.data<float>();
  parallel_for(d.n, 16, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r) {
      const float* zr = z + r * d.v;
      softmax_row(p + r * d.v, zr, d.v);
      if (y[r] == ignore_index) {
        l[r] = 0.0f;
        continue;
      }
      double max = zr[0];
      for (std::int64_t j = 1; j < d.v; ++j)
        max = std::fmax(max, double(zr[j]));
      double sum = 0.0;
      for (std::int64_t j = 0; j < d.v; ++j)
        sum += std::exp(double(zr[j]) - max);
      l[r] = static_cast<float>(std::log(sum) + max - double(zr[y[r]]));
    }
  });
  auto count = counted_rows(targets, ignore_index);
  double total = 0.0;
  for (std::int64_t r = 0; r < d.n; ++r)
    total += l[r];
  return count == 0 ? 0.0f : static_cast<float>(total / double(count));
}

void cross_entropy_backward(const tensor& dlogits, const tensor& probs, const tensor& targets,
                            float dloss, int ignore_index) {
  constexpr auto op = "cross_entropy_backward";
  auto d = check_targets(op, probs, targets, ignore_index);
  require_same(op, "dlogits", dlogits, "probs", probs);
  auto count = counted_rows(targets, ignore_index);
  if (count == 0)
    return;
  const float scale = dloss / float(count);
  const float* p = probs.data<float>();
  const std::int32_t* y = targets.data<std::int32_t>();
  float* dz = dlogits.data<float>();
  parallel_for(d.n, 16, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r) {
      if (y[r] == ignore_index)
        continue;
      for (std::int64_t j = 0; j < d.v; ++j)
        dz[r * d.v + j] += scale * (p[r * d.v + j] - (j == y[r] ? 1.0f : 0.0f));
    }
  });
}

} // namespace axon::ops
