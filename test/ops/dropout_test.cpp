// Dropout statistics and determinism: the keep fraction is 1 - p (within 5 standard
// deviations on 2^20 elements), neighbours are independent, kept values are scaled by exactly
// 1/(1-p), the mask is a pure function of (seed, stream, element index), and backward
// (here, on any number of threads, and inside attention) regenerates the same mask.
#include "ops/cpu/attention.hpp"
#include "ops/cpu/dropout.hpp"
#include "runtime/compute_pool.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

using namespace axon;
using namespace axon::ops;

namespace {

constexpr std::int64_t n_large = 1 << 20;

std::vector<float> scales_of(const dropout_spec& spec, std::int64_t first, std::int64_t count) {
  std::vector<float> s(count);
  dropout_scales(s.data(), first, count, spec);
  return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(dropout_keep_fraction_and_scale) {
  for (float p : {0.1f, 0.5f, 0.9f}) {
    BOOST_TEST_CONTEXT("p = " << p) {
      dropout_spec spec{p, 1234, 5};
      auto inp = tensor::full({n_large}, 3.0f), out = tensor::zeros({n_large});
      dropout_forward(out, inp, spec);
      const float* y = out.data<float>();
      const float kept_value = 3.0f * (1.0f / (1.0f - p));
      std::int64_t kept = 0, both_kept = 0, other = 0;
      double sum = 0.0;
      for (std::int64_t i = 0; i < n_large; ++i) {
        kept += y[i] != 0.0f;
        other += y[i] != 0.0f && y[i] != kept_value; // kept values are exactly x / (1 - p)
        both_kept += i % 2 == 0 && y[i] != 0.0f && y[i + 1] != 0.0f;
        sum += y[i];
      }
      const double q = 1.0 - p, sigma = std::sqrt(p * q / double(n_large));
      BOOST_TEST(other == 0);
      BOOST_TEST(std::fabs(double(kept) / n_large - q) < 5 * sigma);
      // Pairs (2i, 2i+1) are kept together with probability q^2 (independent draws).
      const double pair_sigma = std::sqrt(q * q * (1 - q * q) / double(n_large / 2));
      BOOST_TEST(std::fabs(double(both_kept) / (n_large / 2) - q * q) < 5 * pair_sigma);
      // E[out] = inp: the scaling keeps the mean.
      BOOST_TEST(std::fabs(sum / n_large - 3.0) < 5 * 3.0 * sigma / q);
    }
  }
}

BOOST_AUTO_TEST_CASE(dropout_mask_is_a_function_of_seed_stream_and_index) {
  const std::int64_t n = 10000;
  auto base = scales_of({0.5f, 77, 3}, 0, n);
  auto same = scales_of({0.5f, 77, 3}, 0, n);
  auto other_stream = scales_of({0.5f, 77, 4}, 0, n);
  auto other_seed = scales_of({0.5f, 78, 3}, 0, n);
  auto high_stream = scales_of({0.5f, 77, 3 + (std::uint64_t{1} << 32)}, 0, n);
  BOOST_TEST(base == same);
  auto disagreement = [&](const std::vector<float>& other) {
    std::int64_t d = 0;
    for (std::int64_t i = 0; i < n; ++i)
      d += base[i] != other[i];
    return double(d) / n;
  };
  // Independent masks with p = 0.5 disagree on half the elements.
  BOOST_TEST(std::fabs(disagreement(other_stream) - 0.5) < 0.03);
  BOOST_TEST(std::fabs(disagreement(other_seed) - 0.5) < 0.03);
  BOOST_TEST(std::fabs(disagreement(high_stream) - 0.5) < 0.03); // all 64 stream bits count
  // Any sub-range, at any alignment, reproduces the same elements of the whole mask.
  for (std::int64_t first : {0, 1, 2, 3, 4, 5, 4097}) {
    auto part = scales_of({0.5f, 77, 3}, first, 13);
    for (std::int64_t i = 0; i < 13; ++i)
      BOOST_TEST(part[i] == base[first + i], "first " << first << " element " << i);
  }
}

BOOST_AUTO_TEST_CASE(dropout_forward_backward_share_the_mask) {
  std::mt19937 rng{5};
  const std::int64_t n = 3 * 4096 + 7; // several parallel chunks and a ragged tail
  dropout_spec spec{0.25f, 9, 12};
  auto inp = axon::test::random_tensor({n}, rng), out = tensor::zeros({n});
  dropout_forward(out, inp, spec);
  auto scale = scales_of(spec, 0, n);
  auto dout = axon::test::random_tensor({n}, rng), dinp = tensor::full({n}, 1.0f);
  dropout_backward(dinp, dout, spec);
  for (std::int64_t i = 0; i < n; ++i) {
    BOOST_TEST(out.data<float>()[i] == inp.data<float>()[i] * scale[i]);
    BOOST_TEST(dinp.data<float>()[i] == 1.0f + dout.data<float>()[i] * scale[i]); // +=
  }
  // In place (out aliases inp) gives the same values; p = 0 copies.
  auto in_place = inp.clone();
  dropout_forward(in_place, in_place, spec);
  auto copy = tensor::zeros({n});
  dropout_forward(copy, inp, {});
  for (std::int64_t i = 0; i < n; ++i) {
    BOOST_TEST(in_place.data<float>()[i] == out.data<float>()[i]);
    BOOST_TEST(copy.data<float>()[i] == inp.data<float>()[i]);
  }
}

// Chunks of a 4-thread pool regenerate exactly the serial mask, forward and backward.
BOOST_AUTO_TEST_CASE(dropout_mask_does_not_depend_on_threads) {
  const std::int64_t n = 5 * 4096 + 3;
  dropout_spec spec{0.3f, 2, 8};
  auto scale = scales_of(spec, 0, n);
  compute_pool pool{4};
  compute_pool::scope use{&pool};
  auto ones = tensor::full({n}, 1.0f), out = tensor::zeros({n}), dinp = tensor::zeros({n});
  dropout_forward(out, ones, spec);
  dropout_backward(dinp, ones, spec);
  std::int64_t differ = 0;
  for (std::int64_t i = 0; i < n; ++i)
    differ += out.data<float>()[i] != scale[i] || dinp.data<float>()[i] != scale[i];
  BOOST_TEST(differ == 0);
}

// Attention drops probability element (b,h,i,j) with the mask of the flat (B,NH,T,T) index:
// with V = identity rows, out[b,i,h*HS+j] reads Pd[b,h,i,j] directly.
BOOST_AUTO_TEST_CASE(attention_dropout_uses_the_probs_mask) {
  const std::int64_t b = 2, t = 4, nh = 2, hs = 4, c = nh * hs;
  auto qkv = tensor::zeros({b, t, 3 * c}); // Q = K = 0: uniform probabilities 1/T
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t j = 0; j < t; ++j)
      for (std::int64_t h = 0; h < nh; ++h)
        qkv.data<float>()[(bi * t + j) * 3 * c + 2 * c + h * hs + j] = 1.0f; // V = I per head
  dropout_spec spec{0.5f, 31, 2};
  auto out = tensor::zeros({b, t, c}), probs = tensor::zeros({b, nh, t, t});
  attention_forward(out, probs, qkv, {}, int(nh), spec);
  auto scale = scales_of(spec, 0, b * nh * t * t);
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t h = 0; h < nh; ++h)
      for (std::int64_t i = 0; i < t; ++i)
        for (std::int64_t j = 0; j < t; ++j) {
          auto flat = ((bi * nh + h) * t + i) * t + j;
          BOOST_TEST(probs.data<float>()[flat] == 0.25f); // saved before dropout
          float got = out.data<float>()[(bi * t + i) * c + h * hs + j];
          BOOST_TEST(std::fabs(got - 0.25f * scale[flat]) < 1e-6f, "element " << flat);
        }
}
