// grad_write::overwrite gives exactly what zeroing the input gradient and accumulating
// gives, even when the buffer held garbage (NaN) before, for every op that offers it.
#include "ops/cpu/attention.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "runtime/random_fill.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <functional>

using namespace axon;
using ops::grad_write;

namespace {

tensor random(const shape& sizes, std::uint64_t stream) {
  auto t = tensor::empty(sizes);
  fill_normal(t, 0.0f, 1.0f, 77, stream);
  return t;
}

// Runs `backward(dinp, mode)` into a zeroed buffer (accumulate) and a NaN-filled one
// (overwrite); both must hold the same bits.
void check(const shape& sizes, const std::function<void(const tensor&, grad_write)>& backward) {
  auto accumulated = tensor::zeros(sizes);
  backward(accumulated, grad_write::accumulate);
  auto overwritten = tensor::full(sizes, std::nanf(""));
  backward(overwritten, grad_write::overwrite);
  BOOST_TEST(std::memcmp(accumulated.raw(), overwritten.raw(), accumulated.nbytes()) == 0);
}

} // namespace

BOOST_AUTO_TEST_CASE(overwrite_equals_zero_then_accumulate) {
  auto x = random({3, 5, 8}, 1), dy8 = random({3, 5, 8}, 2);
  auto w = random({6, 8}, 3), dy6 = random({3, 5, 6}, 4);
  check({3, 5, 8}, [&](const tensor& dx, grad_write mode) {
    auto dw = tensor::zeros({6, 8}), db = tensor::zeros({6});
    ops::linear_backward(dx, dw, db, dy6, x, w, mode);
  });
  check({3, 5, 8}, [&](const tensor& dx, grad_write mode) { ops::gelu_backward(dx, dy8, x, mode); });
  auto gamma = random({8}, 5), beta = random({8}, 6);
  auto mean = tensor::empty({15}), rstd = tensor::empty({15}), y = tensor::empty({3, 5, 8});
  ops::layernorm_forward(y, mean, rstd, x, gamma, beta, 1e-5f);
  check({3, 5, 8}, [&](const tensor& dx, grad_write mode) {
    auto dg = tensor::zeros({8}), dbeta = tensor::zeros({8});
    ops::layernorm_backward(dx, dg, dbeta, dy8, x, gamma, mean, rstd, mode);
  });
  auto qkv = random({2, 4, 24}, 7), dctx = random({2, 4, 8}, 8);
  auto ctx = tensor::empty({2, 4, 8}), probs = tensor::empty({2, 2, 4, 4});
  ops::attention_forward(ctx, probs, qkv, {}, 2, {});
  check({2, 4, 24}, [&](const tensor& dqkv, grad_write mode) {
    ops::attention_backward(dqkv, dctx, qkv, probs, {}, 2, {}, mode);
  });
}
