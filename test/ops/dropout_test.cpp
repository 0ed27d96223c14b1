// Dropout statistics and determinism: the keep fraction is 1 - p (within 5 standard
// deviations on 2^20 elements), neighbours are independent, kept values are scaled by exactly
// 1/(1-p), the mask is a pure function of (seed, site, example, offset within the example)
// and of nothing about the batch around an example (its row, the padded length, the other
// rows), and backward (here, on any number of threads, and inside attention) regenerates
// the same mask.
#include "ops/attention_dims.hpp"
#include "ops/cpu/attention.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

using namespace axon;
using namespace axon::ops;

namespace {

constexpr std::int64_t n_large = 1 << 20;

std::vector<float> scales_of(const dropout_spec& spec, std::uint64_t row, std::int64_t first,
                             std::int64_t count) {
  std::vector<float> s(count);
  dropout_scales(s.data(), row, first, count, spec);
  return s;
}

// Share of elements where two masks differ.
double disagreement(const std::vector<float>& a, const std::vector<float>& b) {
  std::int64_t d = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    d += a[i] != b[i];
  return double(d) / double(a.size());
}

} // namespace

BOOST_AUTO_TEST_CASE(dropout_keep_fraction_and_scale) {
  for (float p : {0.1f, 0.5f, 0.9f}) {
    BOOST_TEST_CONTEXT("p = " << p) {
      dropout_spec spec{p, 1234, 5, 40};
      // 16 examples of 2^16 elements each
      auto inp = tensor::full({16, n_large / 16}, 3.0f), out = tensor::zeros({16, n_large / 16});
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

BOOST_AUTO_TEST_CASE(dropout_mask_is_a_function_of_seed_site_example_and_offset) {
  const std::int64_t n = 10000;
  const dropout_spec spec{0.5f, 77, 3, 1000};
  auto base = scales_of(spec, 0, 0, n);
  BOOST_TEST(base == scales_of(spec, 0, 0, n));
  // Row r of a tensor is example first_example + r: the same draws however it is reached.
  BOOST_TEST(base == scales_of({0.5f, 77, 3, 998}, 2, 0, n));
  // Independent masks with p = 0.5 disagree on half the elements.
  for (const auto& [what, other] :
       std::vector<std::pair<const char*, std::vector<float>>>{
         {"site", scales_of({0.5f, 77, 4, 1000}, 0, 0, n)},
         {"seed", scales_of({0.5f, 78, 3, 1000}, 0, 0, n)},
         {"example", scales_of(spec, 1, 0, n)},
         {"high example bits", scales_of({0.5f, 77, 3, 1000 + (std::uint64_t{1} << 40)}, 0, 0, n)},
         {"offset", scales_of(spec, 0, n, n)}})
    BOOST_TEST(std::fabs(disagreement(base, other) - 0.5) < 0.03, "another " << what);
  // Any sub-range, at any alignment, reproduces the same elements of the whole mask.
  for (std::int64_t first : {0, 1, 2, 3, 4, 5, 4097}) {
    auto part = scales_of(spec, 0, first, 13);
    for (std::int64_t i = 0; i < 13; ++i)
      BOOST_TEST(part[i] == base[first + i], "first " << first << " element " << i);
  }
}

// What makes placements agree: an example drops the same units whichever row of whichever
// batch holds it, and however far that batch is padded (a micro-batch is trimmed to its own
// longest row, so an example's padded length changes with the split).
BOOST_AUTO_TEST_CASE(dropout_mask_does_not_depend_on_the_batch_around_an_example) {
  const std::int64_t b = 4, t = 5, c = 6, t_long = 9;
  const dropout_spec whole{0.3f, 21, 6, 500};
  auto ones = tensor::full({b, t, c}, 1.0f), y = tensor::zeros({b, t, c});
  dropout_forward(y, ones, whole);
  // Rows 2 and 3 alone (examples 502, 503), padded to a longer length.
  const dropout_spec part{0.3f, 21, 6, 502};
  auto ones_long = tensor::full({2, t_long, c}, 1.0f), y_long = tensor::zeros({2, t_long, c});
  dropout_forward(y_long, ones_long, part);
  std::int64_t differ = 0;
  for (std::int64_t r = 0; r < 2; ++r)
    for (std::int64_t i = 0; i < t * c; ++i)
      differ += y_long.data<float>()[r * t_long * c + i] != y.data<float>()[(2 + r) * t * c + i];
  BOOST_TEST(differ == 0);
  // ... and the head's (B,C) rows: offsets 0 .. C-1 of the same examples.
  auto head = tensor::zeros({b, c});
  dropout_forward(head, tensor::full({b, c}, 1.0f), whole);
  for (std::int64_t r = 0; r < b; ++r)
    for (std::int64_t j = 0; j < c; ++j)
      BOOST_TEST(head.data<float>()[r * c + j] == y.data<float>()[r * t * c + j]);
}

BOOST_AUTO_TEST_CASE(dropout_forward_backward_share_the_mask) {
  std::mt19937 rng{5};
  const std::int64_t rows = 3, per_row = 4096 + 7; // several chunks per row, a ragged tail
  const std::int64_t n = rows * per_row;
  dropout_spec spec{0.25f, 9, 12, 7};
  auto inp = axon::test::random_tensor({rows, per_row}, rng), out = tensor::zeros({rows, per_row});
  dropout_forward(out, inp, spec);
  std::vector<float> scale;
  for (std::int64_t r = 0; r < rows; ++r) {
    auto row = scales_of(spec, std::uint64_t(r), 0, per_row);
    scale.insert(scale.end(), row.begin(), row.end());
  }
  auto dout = axon::test::random_tensor({rows, per_row}, rng), dinp = tensor::full({rows, per_row}, 1.0f);
  dropout_backward(dinp, dout, spec);
  for (std::int64_t i = 0; i < n; ++i) {
    BOOST_TEST(out.data<float>()[i] == inp.data<float>()[i] * scale[i]);
    BOOST_TEST(dinp.data<float>()[i] == 1.0f + dout.data<float>()[i] * scale[i]); // +=
  }
  // In place (out aliases inp) gives the same values; p = 0 copies.
  auto in_place = inp.clone();
  dropout_forward(in_place, in_place, spec);
  auto copy = tensor::zeros({rows, per_row});
  dropout_forward(copy, inp, {});
  for (std::int64_t i = 0; i < n; ++i) {
    BOOST_TEST(in_place.data<float>()[i] == out.data<float>()[i]);
    BOOST_TEST(copy.data<float>()[i] == inp.data<float>()[i]);
  }
}

// Chunks of a 4-thread pool regenerate exactly the serial mask, forward and backward.
BOOST_AUTO_TEST_CASE(dropout_mask_does_not_depend_on_threads) {
  const std::int64_t rows = 5, per_row = 4096 + 3;
  dropout_spec spec{0.3f, 2, 8, 0};
  std::vector<float> scale;
  for (std::int64_t r = 0; r < rows; ++r) {
    auto row = scales_of(spec, std::uint64_t(r), 0, per_row);
    scale.insert(scale.end(), row.begin(), row.end());
  }
  compute_pool pool{4};
  compute_pool::scope use{&pool};
  auto ones = tensor::full({rows, per_row}, 1.0f), out = tensor::zeros({rows, per_row});
  auto dinp = tensor::zeros({rows, per_row});
  dropout_forward(out, ones, spec);
  dropout_backward(dinp, ones, spec);
  std::int64_t differ = 0;
  for (std::int64_t i = 0; i < rows * per_row; ++i)
    differ += out.data<float>()[i] != scale[i] || dinp.data<float>()[i] != scale[i];
  BOOST_TEST(differ == 0);
}

// Attention drops probability (b,h,i,j) with the draw at offset attention_draw_offset(h,i,j)
// of example first_example + b: with V = identity rows, out[b,i,h*HS+j] reads Pd[b,h,i,j].
BOOST_AUTO_TEST_CASE(attention_dropout_uses_the_probs_draws) {
  const std::int64_t b = 2, t = 4, nh = 2, hs = 4, c = nh * hs;
  auto qkv = tensor::zeros({b, t, 3 * c}); // Q = K = 0: uniform probabilities 1/T
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t j = 0; j < t; ++j)
      for (std::int64_t h = 0; h < nh; ++h)
        qkv.data<float>()[(bi * t + j) * 3 * c + 2 * c + h * hs + j] = 1.0f; // V = I per head
  dropout_spec spec{0.5f, 31, 2, 70};
  auto out = tensor::zeros({b, t, c}), probs = tensor::zeros({b, nh, t, t});
  attention_forward(out, probs, qkv, {}, int(nh), spec);
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t h = 0; h < nh; ++h)
      for (std::int64_t i = 0; i < t; ++i)
        for (std::int64_t j = 0; j < t; ++j) {
          auto flat = ((bi * nh + h) * t + i) * t + j;
          BOOST_TEST(probs.data<float>()[flat] == 0.25f); // saved before dropout
          const float scale = scales_of(spec, std::uint64_t(bi), attention_draw_offset(h, i, j), 1)[0];
          float got = out.data<float>()[(bi * t + i) * c + h * hs + j];
          BOOST_TEST(std::fabs(got - 0.25f * scale) < 1e-6f, "element " << flat);
        }
}

// A sequence's attention output with dropout is the same alone in a batch trimmed to its
// length as inside a longer-padded batch with other sequences before it.
BOOST_AUTO_TEST_CASE(attention_dropout_does_not_depend_on_the_batch_around_an_example) {
  const std::int64_t t = 7, c = 8, nh = 2, t_alone = 4;
  std::mt19937 rng{3};
  auto qkv = axon::test::random_tensor({2, t, 3 * c}, rng);
  auto mask = tensor::zeros({2, t}, dtype::i32);
  for (std::int64_t j = 0; j < t; ++j)
    mask.data<std::int32_t>()[j] = 1;                          // row 0: all real
  for (std::int64_t j = 0; j < t_alone; ++j)
    mask.data<std::int32_t>()[t + j] = 1;                      // row 1: 4 real tokens
  const dropout_spec spec{0.4f, 5, 9, 300};
  auto out = tensor::zeros({2, t, c}), probs = tensor::zeros({2, nh, t, t});
  attention_forward(out, probs, qkv, mask, int(nh), spec);
  // Row 1 alone (example 301), trimmed to its 4 tokens.
  auto qkv_alone = tensor::zeros({1, t_alone, 3 * c});
  for (std::int64_t j = 0; j < t_alone; ++j)
    for (std::int64_t k = 0; k < 3 * c; ++k)
      qkv_alone.data<float>()[j * 3 * c + k] = qkv.data<float>()[(t + j) * 3 * c + k];
  auto out_alone = tensor::zeros({1, t_alone, c}), probs_alone = tensor::zeros({1, nh, t_alone, t_alone});
  attention_forward(out_alone, probs_alone, qkv_alone, {}, int(nh), {0.4f, 5, 9, 301});
  for (std::int64_t j = 0; j < t_alone; ++j)
    for (std::int64_t k = 0; k < c; ++k)
      BOOST_TEST(std::fabs(out_alone.data<float>()[j * c + k] - out.data<float>()[(t + j) * c + k])
                   < 1e-6f,
                 "token " << j << " column " << k);
}

BOOST_AUTO_TEST_CASE(dropout_refuses_what_its_draws_cannot_number) {
  // Attention numbers sequences up to attention_draw_stride tokens when dropout is on.
  BOOST_CHECK_THROW(attention_dims_of("attention_forward", 1, attention_draw_stride + 1, 4, 1,
                                      {0.1f, 0, 0, 0}),
                    op_error);
  BOOST_CHECK_NO_THROW(attention_dims_of("attention_forward", 1, attention_draw_stride + 1, 4, 1,
                                         {}));
  BOOST_CHECK_THROW(attention_dims_of("attention_forward", 1, 8, 2048 * 4, 2048, {0.1f, 0, 0, 0}),
                    op_error);
}
