// Packed rows (ops/cpu/packed_rows.hpp): which masks pack and how, and the packed
// attention and dropout against the padded ops on every real token, dropout on: the
// packed calls must draw the padded calls' masks and compute the same values.
#include "ops/cpu/attention.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/cpu/gather_rows.hpp"
#include "ops/cpu/packed_rows.hpp"
#include "ops/op_error.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon;

namespace {

tensor prefix_mask(std::int64_t t, const std::vector<std::int64_t>& lengths) {
  auto mask = tensor::zeros({std::int64_t(lengths.size()), t}, dtype::i32);
  for (std::size_t b = 0; b < lengths.size(); ++b)
    for (std::int64_t j = 0; j < lengths[b]; ++j)
      mask.data<std::int32_t>()[b * t + j] = 1;
  return mask;
}

// The real rows of a padded (B,T,W) tensor, packed (N,W).
tensor packed(const tensor& padded, const ops::packed_rows& rows) {
  auto out = tensor::empty({rows.count(), padded.size(-1)});
  ops::gather_rows_forward(out, padded, rows.index);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(packed_rows_suite)

BOOST_AUTO_TEST_CASE(prefix_masks_with_padding_pack_and_others_do_not) {
  auto rows = ops::pack_rows(prefix_mask(4, {4, 1, 3}));
  BOOST_REQUIRE(rows.has_value());
  BOOST_TEST(rows->count() == 8);
  BOOST_TEST((rows->starts == std::vector<std::int64_t>{0, 4, 5}));
  BOOST_TEST((rows->lengths == std::vector<std::int64_t>{4, 1, 3}));
  std::vector<std::int32_t> index(rows->index.data<std::int32_t>(),
                                  rows->index.data<std::int32_t>() + rows->count());
  BOOST_TEST((index == std::vector<std::int32_t>{0, 1, 2, 3, 4, 8, 9, 10}));
  BOOST_TEST(!ops::pack_rows(prefix_mask(4, {4, 4})).has_value()); // no padding
  BOOST_TEST(!ops::pack_rows(prefix_mask(4, {4, 0})).has_value()); // a sequence without tokens
  auto holes = prefix_mask(4, {2, 3});
  holes.data<std::int32_t>()[3] = 1; // a token after padding
  BOOST_TEST(!ops::pack_rows(holes).has_value());
  BOOST_TEST(!ops::pack_rows(tensor{}).has_value());
}

BOOST_AUTO_TEST_CASE(packed_attention_equals_padded_attention_on_real_tokens) {
  const std::int64_t b = 3, t = 9, c = 12, nh = 3;
  auto mask = prefix_mask(t, {9, 4, 1});
  auto rows = *ops::pack_rows(mask);
  std::mt19937 rng{5};
  auto qkv = test::random_tensor({b, t, 3 * c}, rng, 2.0f);
  auto dout = test::random_tensor({b, t, c}, rng);
  for (float p : {0.0f, 0.3f}) {
    const ops::dropout_spec drop{p, 17, 4, 20};
    auto out = tensor::zeros({b, t, c}), probs = tensor::zeros({b, nh, t, t});
    ops::attention_forward(out, probs, qkv, mask, int(nh), drop);
    auto dqkv = tensor::zeros({b, t, 3 * c});
    // The padded op's padding rows get gradients from padding queries; the packed one has
    // none: compare on a dout that is 0 on padding, as a model's is.
    auto dout_real = tensor::zeros({b, t, c});
    ops::gather_rows_backward(dout_real, packed(dout, rows), rows.index);
    ops::attention_backward(dqkv, dout_real, qkv, probs, mask, int(nh), drop);

    auto out_p = tensor::zeros({rows.count(), c}), probs_p = tensor::zeros({b, nh, t, t});
    ops::attention_forward_packed(out_p, probs_p, packed(qkv, rows), rows, int(nh), drop);
    auto dqkv_p = tensor::zeros({rows.count(), 3 * c});
    ops::attention_backward_packed(dqkv_p, packed(dout, rows), packed(qkv, rows), probs_p, rows,
                                   int(nh), drop);
    const std::string what = "p=" + std::to_string(p);
    test::expect_close(what + " out", out_p, packed(out, rows), 1e-6f, 1e-5f);
    test::expect_close(what + " dqkv", dqkv_p, packed(dqkv, rows), 1e-6f, 1e-5f);
  }
}

BOOST_AUTO_TEST_CASE(packed_dropout_draws_the_padded_mask) {
  const std::int64_t b = 2, t = 6, c = 10;
  auto rows = *ops::pack_rows(prefix_mask(t, {3, 5}));
  std::mt19937 rng{9};
  auto x = test::random_tensor({b, t, c}, rng);
  const ops::dropout_spec drop{0.4f, 3, 7, 11};
  auto y = tensor::zeros({b, t, c});
  ops::dropout_forward(y, x, drop);
  auto y_p = tensor::zeros({rows.count(), c});
  ops::dropout_forward_rows(y_p, packed(x, rows), rows, drop);
  test::expect_close("forward", y_p, packed(y, rows), 0.0f, 0.0f);
  auto dx = tensor::zeros({b, t, c});
  ops::dropout_backward(dx, x, drop);
  auto dx_p = tensor::zeros({rows.count(), c});
  ops::dropout_backward_rows(dx_p, packed(x, rows), rows, drop);
  test::expect_close("backward", dx_p, packed(dx, rows), 0.0f, 0.0f);
  auto wrong = rows;
  wrong.index = tensor::zeros({3}, dtype::i32);
  BOOST_CHECK_THROW(ops::dropout_forward_rows(y_p, packed(x, rows), wrong, drop), ops::op_error);
}

BOOST_AUTO_TEST_SUITE_END()
