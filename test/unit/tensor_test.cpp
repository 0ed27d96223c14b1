// Tensors: shapes, views share storage, conversions, parameter arenas.
#include "runtime/param_arena.hpp"
#include "runtime/tensor.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace axon;

BOOST_AUTO_TEST_SUITE(tensor_suite)

BOOST_AUTO_TEST_CASE(copies_share_storage_and_clone_does_not) {
  auto a = tensor::full({2, 3}, 1.5f);
  tensor b = a; // a handle copy: what a local actor message carries
  b.data<float>()[4] = 7.0f;
  BOOST_TEST(a.data<float>()[4] == 7.0f);
  BOOST_TEST(a.bytes().get() == b.bytes().get());
  auto c = a.clone();
  c.data<float>()[0] = -1.0f;
  BOOST_TEST(a.data<float>()[0] == 1.5f);
  BOOST_TEST(!c.shares_storage_with(a));
}

BOOST_AUTO_TEST_CASE(views_reshape_and_slice) {
  auto a = tensor::zeros({4, 2, 3});
  for (int i = 0; i < 24; ++i)
    a.data<float>()[i] = float(i);
  auto rows = a.slice(1, 3);
  BOOST_TEST(rows.sizes() == (shape{2, 2, 3}));
  BOOST_TEST(rows.data<float>()[0] == 6.0f);
  BOOST_TEST(rows.shares_storage_with(a));
  BOOST_TEST(!a.slice(0, 1).shares_storage_with(a.slice(1, 2)));
  auto flat = a.reshape({24});
  BOOST_TEST(flat.data<float>()[23] == 23.0f);
  BOOST_CHECK_THROW(a.reshape({5, 5}), std::invalid_argument);
  BOOST_CHECK_THROW(a.slice(3, 5), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(dtype_checks_and_description) {
  auto ids = tensor::zeros({2, 8}, dtype::i32);
  BOOST_TEST(ids.describe() == "i32[2,8]");
  BOOST_CHECK_THROW(ids.data<float>(), std::invalid_argument);
  BOOST_TEST(tensor{}.describe() == "undefined");
  BOOST_CHECK_THROW(shape({1, 2, 3, 4, 5, 6, 7}), std::invalid_argument);
  // No machine has 100 GPUs; without CUDA (or without a GPU) any device fails the same way.
  BOOST_CHECK_THROW(tensor::empty({2}, dtype::f32, device::cuda(99)), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(bf16_round_trip_rounds_to_nearest_even) {
  BOOST_TEST(bf16_to_f32(f32_to_bf16(1.0f)) == 1.0f);
  BOOST_TEST(bf16_to_f32(f32_to_bf16(-3.140625f)) == -3.140625f); // exactly representable
  // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties to even -> 1.
  BOOST_TEST(bf16_to_f32(f32_to_bf16(1.0f + 1.0f / 256)) == 1.0f);
  BOOST_TEST(bf16_to_f32(f32_to_bf16(1.0f + 3.0f / 256)) == 1.0f + 4.0f / 256);
  BOOST_TEST(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  auto t = tensor::full({3}, 2.5f).to(dtype::bf16).to(dtype::f32);
  BOOST_TEST(t.data<float>()[2] == 2.5f);
}

BOOST_AUTO_TEST_CASE(device_parsing) {
  BOOST_TEST(device::parse("cpu").is_cpu());
  BOOST_TEST(device::parse("cuda:3").index == 3);
  BOOST_TEST(device::parse("cuda").to_string() == "cuda:0");
  BOOST_CHECK_THROW(device::parse("gpu0"), std::invalid_argument);
  BOOST_CHECK_THROW(device::parse("cuda:-1"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(split_specs_cuts_runs_of_whole_tensors) {
  std::vector<param_spec> specs{{"a", {100}}, {"b", {10}}, {"c", {60}}, {"d", {30}}, {"e", {5}}};
  auto parts = split_specs(specs, 2);
  BOOST_TEST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0].first == 0u);
  BOOST_TEST(parts[0].last == parts[1].first); // consecutive, every tensor once
  BOOST_TEST(parts[1].last == specs.size());
  BOOST_TEST(parts[0].count + parts[1].count == 205);
  BOOST_TEST(parts[1].offset == parts[0].count);
  BOOST_TEST(parts[0].count == 100); // a = 100 is nearer half the total (102) than a+b = 110
  auto each = split_specs(specs, 5);
  for (std::size_t k = 0; k < each.size(); ++k)
    BOOST_TEST((each[k].last - each[k].first == 1u && each[k].count == specs[k].sizes.numel()));
  BOOST_TEST(split_specs(specs, 1)[0].count == 205);
  BOOST_CHECK_THROW(split_specs(specs, 6), std::invalid_argument);
  BOOST_CHECK_THROW(split_specs(specs, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(param_arena_is_one_allocation_with_named_views) {
  param_arena arena{{{"q.weight", {4, 4}}, {"k.weight", {4, 4}}, {"v.weight", {4, 4}},
                     {"q.bias", {4}, false}}};
  BOOST_TEST(arena.numel() == 52);
  BOOST_TEST(arena["k.weight"].bytes().get() == arena.flat().bytes().get());
  arena["k.weight"].data<float>()[0] = 3.0f;
  BOOST_TEST(arena.flat().data<float>()[16] == 3.0f);
  auto qkv = arena.fused("q.weight", {12, 4}); // stacked query/key/value
  BOOST_TEST(qkv.data<float>()[16] == 3.0f);
  BOOST_CHECK_THROW(arena["missing"], std::out_of_range);
  auto grads = arena.like();
  BOOST_TEST(grads.flat().data<float>()[16] == 0.0f);
  BOOST_TEST(!grads.flat().shares_storage_with(arena.flat()));
  BOOST_CHECK_THROW(param_arena({{"a", {1}}, {"a", {2}}}), std::invalid_argument);
  auto copy = arena.clone(); // deep, and its named views are its own
  copy["k.weight"].data<float>()[0] = 5.0f;
  BOOST_TEST(arena["k.weight"].data<float>()[0] == 3.0f);
  BOOST_TEST(copy.flat().data<float>()[16] == 5.0f);
}

BOOST_AUTO_TEST_CASE(on_its_own_device_a_tensor_is_itself) {
  auto t = tensor::full({2, 2}, 1.0f);
  BOOST_TEST(t.on(device::cpu()).bytes().get() == t.bytes().get()); // no copy
  BOOST_TEST(!tensor{}.on(device::cuda(0)).defined());                // nothing to move
}

BOOST_AUTO_TEST_CASE(copy_into_an_existing_tensor_checks_dtype_and_shape) {
  auto dst = tensor::zeros({2, 3});
  auto src = tensor::full({2, 3}, 2.5f);
  dst.copy_(src);
  BOOST_TEST(dst.data<float>()[5] == 2.5f);
  BOOST_TEST(!dst.shares_storage_with(src));
  dst.slice(1, 2).copy_(tensor::full({1, 3}, -1.0f)); // into a view: the rest is kept
  BOOST_TEST(dst.data<float>()[2] == 2.5f);
  BOOST_TEST(dst.data<float>()[3] == -1.0f);
  BOOST_CHECK_THROW(dst.copy_(tensor::zeros({3, 2})), std::invalid_argument);
  BOOST_CHECK_THROW(dst.copy_(tensor::zeros({2, 3}, dtype::i32)), std::invalid_argument);
  BOOST_CHECK_THROW(dst.copy_(tensor{}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
