// Bad arguments become op_error whose message names the op and the offending shapes or
// values: wrong shapes and dtypes for each op, out-of-range ids and targets with position.
#include "ops/cpu/adamw.hpp"
#include "ops/cpu/attention.hpp"
#include "ops/cpu/clip_grad.hpp"
#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/cpu/embedding.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/cpu/pooler.hpp"
#include "ops/cpu/softmax.hpp"
#include "ops/cpu/window_pooling.hpp"
#include "ops/op_error.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <initializer_list>
#include <string>

using namespace axon;
using namespace axon::ops;
using axon::test::i32_tensor;

namespace {

tensor f32(const shape& s) { return tensor::zeros(s); }
tensor i32(const shape& s) { return tensor::zeros(s, dtype::i32); }

/// `call` must throw op_error whose message contains every fragment.
void expect_op_error(const std::function<void()>& call,
                     std::initializer_list<std::string> fragments) {
  try {
    call();
  } catch (const op_error& e) {
    std::string message = e.what();
    for (const auto& f : fragments)
      BOOST_TEST(message.find(f) != std::string::npos,
                 "message \"" << message << "\" lacks \"" << f << "\"");
    return;
  } catch (const std::exception& e) {
    BOOST_ERROR("expected op_error with \"" << *fragments.begin() << "\", got another exception: "
                                            << e.what());
    return;
  }
  BOOST_ERROR("expected op_error with \"" << *fragments.begin() << "\", nothing thrown");
}

} // namespace

BOOST_AUTO_TEST_CASE(linear_errors) {
  // weight (32,63) against inp (...,64): both sizes named.
  expect_op_error([] { linear_forward(f32({2, 5, 32}), f32({2, 5, 64}), f32({32, 63}), {}); },
                  {"linear_forward", "inp is f32[2,5,64]", "weight is f32[32,63]"});
  expect_op_error(
    [] { linear_backward({}, f32({32, 63}), {}, f32({10, 32}), f32({10, 64}), f32({32, 63})); },
    {"linear_backward", "inp is f32[10,64]", "weight is f32[32,63]"});
  expect_op_error([] { linear_forward(f32({10, 32}), f32({10, 64}), f32({32, 64}), f32({33})); },
                  {"linear_forward", "bias", "f32[33]", "f32[32]"});
  expect_op_error([] { linear_forward(f32({9, 32}), f32({10, 64}), f32({32, 64}), {}); },
                  {"linear_forward", "out", "f32[9,32]", "f32[10,64]"});
  expect_op_error([] { linear_forward(f32({10, 32}), i32({10, 64}), f32({32, 64}), {}); },
                  {"linear_forward", "inp", "i32[10,64]", "f32"});
  expect_op_error([] { linear_forward(f32({10, 32}), f32({10, 64}), f32({64}), {}); },
                  {"linear_forward", "weight", "f32[64]", "(OC,C)"});
  expect_op_error(
    [] { linear_backward(f32({10, 64}), f32({32, 65}), {}, f32({10, 32}), f32({10, 64}), f32({32, 64})); },
    {"linear_backward", "dweight", "f32[32,65]", "f32[32,64]"});
  expect_op_error(
    [] { linear_backward({}, f32({32, 64}), {}, f32({11, 32}), f32({10, 64}), f32({32, 64})); },
    {"linear_backward", "dout", "f32[11,32]", "f32[10,64]"});
  expect_op_error(
    [] { linear_backward(f32({10, 63}), f32({32, 64}), {}, f32({10, 32}), f32({10, 64}), f32({32, 64})); },
    {"linear_backward", "dinp", "f32[10,63]", "f32[10,64]"});
}

BOOST_AUTO_TEST_CASE(embedding_errors) {
  auto ids = i32_tensor({2, 3}, {1, 2, 3, 4, 10, 0});
  auto wte = f32({10, 4}), wpe = f32({8, 4}), wtt = f32({2, 4});
  // The out-of-range id is reported with its (b,t) position and value.
  expect_op_error([&] { embedding_forward(f32({2, 3, 4}), ids, {}, wte, wpe, wtt); },
                  {"embedding_forward", "ids[1,1] = 10", "[0,10)"});
  expect_op_error([&] { embedding_backward(f32({10, 4}), f32({8, 4}), f32({2, 4}),
                                           f32({2, 3, 4}), ids, {}); },
                  {"embedding_backward", "ids[1,1] = 10"});
  auto ok_ids = i32_tensor({2, 3}, {1, 2, 3, 4, 5, 0});
  auto bad_types = i32_tensor({2, 3}, {0, 1, 0, 2, 0, 0});
  expect_op_error([&] { embedding_forward(f32({2, 3, 4}), ok_ids, bad_types, wte, wpe, wtt); },
                  {"embedding_forward", "types[1,0] = 2", "[0,2)"});
  auto negative = i32_tensor({1, 2}, {0, -1});
  expect_op_error([&] { embedding_forward(f32({1, 2, 4}), negative, {}, wte, wpe, wtt); },
                  {"embedding_forward", "ids[0,1] = -1"});
  expect_op_error([&] { embedding_forward(f32({1, 9, 4}), i32({1, 9}), {}, wte, wpe, wtt); },
                  {"embedding_forward", "sequence length 9", "8 position"});
  expect_op_error([&] { embedding_forward(f32({2, 3, 4}), f32({2, 3}), {}, wte, wpe, wtt); },
                  {"embedding_forward", "ids", "f32[2,3]", "i32"});
  expect_op_error([&] { embedding_forward(f32({2, 3, 4}), ok_ids, {}, wte, f32({8, 5}), wtt); },
                  {"embedding_forward", "wpe", "f32[8,5]", "4"});
  expect_op_error([&] { embedding_forward(f32({2, 3, 4}), ok_ids, {}, wte, wpe, f32({2, 3})); },
                  {"embedding_forward", "wtt", "f32[2,3]", "(TT,4)"});
  expect_op_error([&] { embedding_forward(f32({2, 4, 4}), ok_ids, {}, wte, wpe, wtt); },
                  {"embedding_forward", "out", "f32[2,4,4]", "f32[2,3,4]"});
  expect_op_error([&] { embedding_forward(f32({2, 3, 4}), ok_ids, i32({3, 2}), wte, wpe, wtt); },
                  {"embedding_forward", "types", "i32[3,2]", "[2,3]"});
  expect_op_error([&] { embedding_backward(f32({10, 4}), f32({8, 4}), {}, f32({2, 3, 5}),
                                           ok_ids, {}); },
                  {"embedding_backward", "dout", "f32[2,3,5]", "f32[2,3,4]"});
}

BOOST_AUTO_TEST_CASE(layernorm_errors) {
  auto mean = f32({6}), rstd = f32({6});
  expect_op_error([&] { layernorm_forward(f32({2, 3, 17}), mean, rstd, f32({2, 3, 17}),
                                          f32({16}), f32({16}), 1e-12f); },
                  {"layernorm_forward", "inp", "f32[2,3,17]", "16"});
  expect_op_error([&] { layernorm_forward(f32({2, 3, 16}), mean, rstd, f32({2, 3, 16}),
                                          f32({16}), f32({15}), 1e-12f); },
                  {"layernorm_forward", "bias", "f32[15]", "f32[16]"});
  expect_op_error([&] { layernorm_forward(f32({2, 3, 16}), f32({5}), rstd, f32({2, 3, 16}),
                                          f32({16}), f32({16}), 1e-12f); },
                  {"layernorm_forward", "mean", "f32[5]", "f32[6]"});
  expect_op_error([&] { layernorm_forward(f32({6, 16}), mean, rstd, f32({2, 3, 16}),
                                          f32({16}), f32({16}), 1e-12f); },
                  {"layernorm_forward", "out", "f32[6,16]", "f32[2,3,16]"});
  expect_op_error([&] {
    auto x = tensor::zeros({2, 3, 16}, dtype::bf16);
    layernorm_forward(f32({2, 3, 16}), mean, rstd, x, f32({16}), f32({16}), 1e-12f);
  }, {"layernorm_forward", "inp", "bf16[2,3,16]", "f32"});
  expect_op_error([&] { layernorm_forward(f32({2, 3, 16}), mean, rstd, f32({2, 3, 16}),
                                          f32({16}), f32({16}), 0.0f); },
                  {"layernorm_forward", "eps"});
  expect_op_error([&] { layernorm_backward(f32({2, 3, 16}), f32({16}), f32({16}), f32({2, 3, 15}),
                                           f32({2, 3, 16}), f32({16}), mean, rstd); },
                  {"layernorm_backward", "dout", "f32[2,3,15]", "f32[2,3,16]"});
  expect_op_error([&] { layernorm_backward(f32({2, 3, 16}), f32({17}), f32({16}), f32({2, 3, 16}),
                                           f32({2, 3, 16}), f32({16}), mean, rstd); },
                  {"layernorm_backward", "dweight", "f32[17]", "f32[16]"});
}

BOOST_AUTO_TEST_CASE(gelu_and_softmax_errors) {
  expect_op_error([] { gelu_forward(f32({4, 8}), f32({4, 9})); },
                  {"gelu_forward", "f32[4,8]", "f32[4,9]"});
  expect_op_error([] { gelu_forward(i32({4, 8}), i32({4, 8})); },
                  {"gelu_forward", "i32[4,8]", "f32"});
  expect_op_error([] { gelu_backward(f32({4, 8}), f32({4, 7}), f32({4, 8})); },
                  {"gelu_backward", "dout", "f32[4,7]", "f32[4,8]"});
  expect_op_error([] { softmax_forward(f32({3, 5}), f32({3, 6})); },
                  {"softmax_forward", "f32[3,5]", "f32[3,6]"});
  expect_op_error([] { softmax_forward(f32({3, 0}), f32({3, 0})); },
                  {"softmax_forward", "f32[3,0]", "non-empty"});
  expect_op_error([] { softmax_forward(i32({3, 5}), i32({3, 5})); },
                  {"softmax_forward", "i32[3,5]", "f32"});
  expect_op_error([] { softmax_backward(f32({3, 5}), f32({5, 3}), f32({3, 5})); },
                  {"softmax_backward", "dout", "f32[5,3]", "f32[3,5]"});
}

BOOST_AUTO_TEST_CASE(attention_errors) {
  auto out = f32({2, 4, 8}), probs = f32({2, 2, 4, 4}), qkv = f32({2, 4, 24});
  expect_op_error([&] { attention_forward(out, probs, f32({2, 4, 25}), {}, 2, {}); },
                  {"attention_forward", "qkv", "f32[2,4,25]", "(B,T,3C)"});
  expect_op_error([&] { attention_forward(out, probs, qkv, {}, 3, {}); },
                  {"attention_forward", "hidden size 8", "3 heads"});
  expect_op_error([&] { attention_forward(out, f32({2, 2, 4, 5}), qkv, {}, 2, {}); },
                  {"attention_forward", "probs", "f32[2,2,4,5]", "f32[2,2,4,4]"});
  expect_op_error([&] { attention_forward(f32({2, 4, 24}), probs, qkv, {}, 2, {}); },
                  {"attention_forward", "out", "f32[2,4,24]", "f32[2,4,8]"});
  expect_op_error([&] { attention_forward(out, probs, qkv, f32({2, 4}), 2, {}); },
                  {"attention_forward", "key_mask", "f32[2,4]", "i32"});
  expect_op_error([&] { attention_forward(out, probs, qkv, i32({2, 5}), 2, {}); },
                  {"attention_forward", "key_mask", "i32[2,5]", "i32[2,4]"});
  expect_op_error([&] { attention_forward(out, probs, qkv, {}, 2, {1.0f, 0, 0}); },
                  {"attention_forward", "dropout p"});
  expect_op_error([&] { attention_forward(out, probs, qkv.to(dtype::bf16), {}, 2, {}); },
                  {"attention_forward", "qkv", "bf16[2,4,24]"});
  expect_op_error([&] { attention_backward(f32({2, 4, 24}), f32({2, 4, 9}), qkv, probs, {}, 2, {}); },
                  {"attention_backward", "dout", "f32[2,4,9]", "f32[2,4,8]"});
  expect_op_error([&] { attention_backward(f32({2, 4, 8}), out, qkv, probs, {}, 2, {}); },
                  {"attention_backward", "dqkv", "f32[2,4,8]", "f32[2,4,24]"});
}

BOOST_AUTO_TEST_CASE(dropout_errors) {
  expect_op_error([] { dropout_forward(f32({8}), f32({8}), {1.0f, 0, 0}); },
                  {"dropout_forward", "p must be in [0, 1)"});
  expect_op_error([] { dropout_forward(f32({8}), f32({8}), {-0.1f, 0, 0}); },
                  {"dropout_forward", "p must be in [0, 1)"});
  expect_op_error([] { dropout_forward(f32({8}), f32({9}), {0.1f, 0, 0}); },
                  {"dropout_forward", "f32[8]", "f32[9]"});
  expect_op_error([] { dropout_forward(i32({8}), i32({8}), {0.1f, 0, 0}); },
                  {"dropout_forward", "i32[8]", "f32"});
  expect_op_error([] { dropout_backward(f32({8}), f32({2, 4}), {0.1f, 0, 0}); },
                  {"dropout_backward", "f32[8]", "f32[2,4]"});
}

BOOST_AUTO_TEST_CASE(pooler_errors) {
  expect_op_error([] { pooler_forward(f32({2, 8}), f32({2, 3, 8}), f32({8, 9}), f32({8})); },
                  {"pooler_forward", "weight", "f32[8,9]", "f32[8,8]"});
  expect_op_error([] { pooler_forward(f32({2, 8}), f32({2, 8}), f32({8, 8}), f32({8})); },
                  {"pooler_forward", "inp", "f32[2,8]", "(B,T,C)"});
  expect_op_error([] { pooler_forward(f32({2, 8}), f32({2, 3, 8}), f32({8, 8}), f32({7})); },
                  {"pooler_forward", "bias", "f32[7]", "f32[8]"});
  expect_op_error([] { pooler_forward(f32({3, 8}), f32({2, 3, 8}), f32({8, 8}), f32({8})); },
                  {"pooler_forward", "out", "f32[3,8]", "f32[2,8]"});
  expect_op_error([] { pooler_backward(f32({2, 3, 8}), f32({8, 8}), f32({8}), f32({2, 7}),
                                       f32({2, 3, 8}), f32({8, 8}), f32({2, 8})); },
                  {"pooler_backward", "dout", "f32[2,7]", "f32[2,8]"});
}

BOOST_AUTO_TEST_CASE(cross_entropy_errors) {
  auto logits = f32({4, 10}), probs = f32({4, 10}), losses = f32({4});
  // An out-of-range target is reported with its row and value.
  expect_op_error([&] { cross_entropy_forward(losses, probs, logits,
                                              i32_tensor({4}, {1, 2, 10, 3})); },
                  {"cross_entropy_forward", "targets[2] = 10", "[0,10)"});
  expect_op_error([&] { cross_entropy_forward(losses, probs, logits,
                                              i32_tensor({4}, {1, -1, 0, 3})); },
                  {"cross_entropy_forward", "targets[1] = -1", "-100"});
  expect_op_error([&] { cross_entropy_backward(f32({4, 10}), probs,
                                               i32_tensor({4}, {1, 2, 3, 12}), 1.0f); },
                  {"cross_entropy_backward", "targets[3] = 12"});
  expect_op_error([&] { cross_entropy_forward(losses, probs, logits, f32({4})); },
                  {"cross_entropy_forward", "targets", "f32[4]", "i32"});
  expect_op_error([&] { cross_entropy_forward(losses, probs, logits, i32({5})); },
                  {"cross_entropy_forward", "targets", "i32[5]", "i32[4]"});
  expect_op_error([&] { cross_entropy_forward(losses, probs, f32({40}), i32({4})); },
                  {"cross_entropy_forward", "f32[40]", "(N,V)"});
  expect_op_error([&] { cross_entropy_forward(losses, f32({4, 11}), logits, i32({4})); },
                  {"cross_entropy_forward", "probs", "f32[4,11]", "f32[4,10]"});
  expect_op_error([&] { cross_entropy_forward(f32({3}), probs, logits, i32({4})); },
                  {"cross_entropy_forward", "losses", "f32[3]", "f32[4]"});
  expect_op_error([&] { cross_entropy_backward(f32({4, 9}), probs, i32({4}), 1.0f); },
                  {"cross_entropy_backward", "dlogits", "f32[4,9]", "f32[4,10]"});
}

BOOST_AUTO_TEST_CASE(adamw_and_clip_errors) {
  auto p = f32({3, 4});
  expect_op_error([&] { adamw_update(p, f32({3, 4}), f32({4, 3}), f32({3, 4}), {}, 1); },
                  {"adamw_update", "m", "f32[4,3]", "f32[3,4]"});
  expect_op_error([&] { adamw_update(p, f32({12}), f32({3, 4}), f32({3, 4}), {}, 1); },
                  {"adamw_update", "grad", "f32[12]", "f32[3,4]"});
  expect_op_error([&] { adamw_update(p, f32({3, 4}), f32({3, 4}), f32({3, 4}), {}, 0); },
                  {"adamw_update", "step counts from 1"});
  expect_op_error([&] {
    adamw_hparams hp;
    hp.beta2 = 1.0f;
    adamw_update(p, f32({3, 4}), f32({3, 4}), f32({3, 4}), hp, 1);
  }, {"adamw_update", "hyper-parameters"});
  expect_op_error([&] {
    auto q = i32({3, 4});
    adamw_update(q, i32({3, 4}), i32({3, 4}), i32({3, 4}), {}, 1);
  }, {"adamw_update", "i32[3,4]", "f32"});
  expect_op_error([] {
    std::vector<tensor> grads{f32({3}), i32({2})};
    clip_grad_norm(grads, 1.0f);
  }, {"clip_grad_norm", "i32[2]", "f32"});
}

// Offsets must run from 0 to N without decreasing; shapes name the tensor.
BOOST_AUTO_TEST_CASE(window_pooling_errors) {
  expect_op_error([] { mean_pool_forward(f32({2, 4}), f32({5, 4}), i32_tensor({3}, {0, 2, 4})); },
                  {"mean_pool_forward", "offsets run from 0 to 4, expected 0 to N = 5"});
  expect_op_error([] { mean_pool_forward(f32({2, 4}), f32({5, 4}), i32_tensor({3}, {0, 3, 2})); },
                  {"mean_pool_forward", "offsets run from 0 to 2"});
  expect_op_error(
    [] { mean_pool_forward(f32({3, 4}), f32({5, 4}), i32_tensor({4}, {0, 3, 2, 5})); },
    {"offsets decrease at document 1: 3 then 2"});
  expect_op_error([] { mean_pool_forward(f32({2, 4}), f32({5, 4}), f32({3})); },
                  {"mean_pool_forward", "offsets is f32[3]"});
  expect_op_error([] { mean_pool_backward(f32({5, 4}), f32({3, 4}), i32_tensor({3}, {0, 2, 5})); },
                  {"mean_pool_backward", "dout is f32[3,4]", "expected f32[2,4]"});
  expect_op_error(
    [] {
      attention_pool_forward(f32({2, 4}), f32({5}), f32({5, 4}), f32({3}),
                             i32_tensor({3}, {0, 2, 5}));
    },
    {"attention_pool_forward", "query is f32[3]", "expected f32[4]"});
  expect_op_error(
    [] {
      attention_pool_forward(f32({2, 4}), f32({4}), f32({5, 4}), f32({4}),
                             i32_tensor({3}, {0, 2, 5}));
    },
    {"attention_pool_forward", "probs is f32[4]"});
  expect_op_error(
    [] {
      attention_pool_backward(f32({5, 3}), f32({4}), f32({2, 4}), f32({5, 4}), f32({4}), f32({5}),
                              i32_tensor({3}, {0, 2, 5}));
    },
    {"attention_pool_backward", "dinp"});
  expect_op_error([] { mean_pool_forward(f32({1, 4}), f32({2, 3, 4}), i32_tensor({2}, {0, 2})); },
                  {"mean_pool_forward", "expected (N,C)"});
}
