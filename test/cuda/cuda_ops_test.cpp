// Every CUDA op against its CPU op (the specification) on several shapes, forward and
// backward, at each GEMM precision where GEMMs are involved. Inputs are the CPU tests'
// seeded random tensors; gradients are accumulated into random (not zero) buffers so the
// += contract is checked too. Each test runs its ops on an ordered_stream (cuda_compare.hpp).
#include "cuda_compare.hpp"

#include "ops/cpu/adamw.hpp"
#include "ops/cpu/attention.hpp"
#include "ops/cpu/clip_grad.hpp"
#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/cpu/elementwise.hpp"
#include "ops/cpu/embedding.hpp"
#include "ops/cpu/entity_fusion.hpp"
#include "ops/cpu/first_rows.hpp"
#include "ops/cpu/gather_rows.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/cpu/pooler.hpp"
#include "ops/cpu/softmax.hpp"
#include "ops/cpu/window_pooling.hpp"
#include "ops/cuda/adamw.hpp"
#include "ops/cuda/attention.hpp"
#include "ops/cuda/clip_grad.hpp"
#include "ops/cuda/cross_entropy.hpp"
#include "ops/cuda/dropout.hpp"
#include "ops/cuda/elementwise.hpp"
#include "ops/cuda/embedding.hpp"
#include "ops/cuda/entity_fusion.hpp"
#include "ops/cuda/first_rows.hpp"
#include "ops/cuda/flash_attention.hpp"
#include "ops/cuda/gather_rows.hpp"
#include "ops/cuda/gelu.hpp"
#include "ops/cuda/layernorm.hpp"
#include "ops/cuda/linear.hpp"
#include "ops/cuda/pooler.hpp"
#include "ops/cuda/softmax.hpp"
#include "ops/cuda/window_pooling.hpp"
#include "ops/op_error.hpp"
#include "test/ops/op_test_util.hpp"

#include <array>
#include <cstring>
#include <vector>

using namespace axon;
using axon::test::expect_near;
using axon::test::on_gpu;
using axon::test::random_tensor;
namespace gpu_ops = axon::ops::cuda;
using gpu_ops::gemm_precision;

namespace {

const gemm_precision all_precisions[] = {gemm_precision::f32, gemm_precision::tf32,
                                         gemm_precision::bf16};

std::string name(const char* op, const shape& sizes, gemm_precision p = gemm_precision::f32) {
  return std::string{op} + sizes.to_string() + "/" + test::precision_name(p);
}

tensor random_ids(const shape& sizes, std::mt19937& rng, int limit) {
  auto t = tensor::empty(sizes, dtype::i32);
  for (std::int64_t i = 0; i < t.numel(); ++i)
    t.data<std::int32_t>()[i] = int(rng() % unsigned(limit));
  return t;
}

// (B,T) key mask: sequence 0 padded after 60% of its keys; the last sequence (of several)
// entirely masked; the others not at all.
tensor attention_mask(std::int64_t b, std::int64_t t) {
  auto mask = tensor::empty({b, t}, dtype::i32);
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t j = 0; j < t; ++j)
      mask.data<std::int32_t>()[bi * t + j] =
        bi == b - 1 && b > 1 ? 0 : (bi == 0 ? j * 5 < t * 3 || j == 0 : 1);
  return mask;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cuda_ops)

BOOST_AUTO_TEST_CASE(linear_matches_cpu) {
  struct dims { std::int64_t n, c, oc; bool bias; };
  for (auto precision : all_precisions) {
    test::ordered_stream ordered{precision};
    const auto& s = ordered.ops;
    const double tol = test::gemm_threshold(precision);
    for (auto d : {dims{1, 1, 1, true}, dims{7, 13, 5, false}, dims{64, 96, 80, true},
                   dims{256, 768, 768, true}}) {
      std::mt19937 rng{42};
      auto inp = random_tensor({d.n, d.c}, rng), w = random_tensor({d.oc, d.c}, rng);
      auto b = d.bias ? random_tensor({d.oc}, rng) : tensor{};
      auto out = tensor::empty({d.n, d.oc});
      ops::linear_forward(out, inp, w, b);
      auto g_out = tensor::empty({d.n, d.oc}, dtype::f32, test::gpu);
      gpu_ops::linear_forward(g_out, on_gpu(inp), on_gpu(w), d.bias ? on_gpu(b) : tensor{}, s);
      expect_near(name("linear_forward", out.sizes(), precision), s, g_out, out, tol);

      auto dout = random_tensor({d.n, d.oc}, rng);
      auto dinp = random_tensor({d.n, d.c}, rng), dw = random_tensor({d.oc, d.c}, rng);
      auto db = d.bias ? random_tensor({d.oc}, rng) : tensor{};
      auto g_dinp = on_gpu(dinp), g_dw = on_gpu(dw), g_db = d.bias ? on_gpu(db) : tensor{};
      ops::linear_backward(dinp, dw, db, dout, inp, w);
      gpu_ops::linear_backward(g_dinp, g_dw, g_db, on_gpu(dout), on_gpu(inp), on_gpu(w), s);
      expect_near(name("linear_backward/dinp", dinp.sizes(), precision), s, g_dinp, dinp, tol);
      expect_near(name("linear_backward/dweight", dw.sizes(), precision), s, g_dw, dw, tol);
      if (d.bias)
        expect_near(name("linear_backward/dbias", db.sizes(), precision), s, g_db, db, tol);
    }
  }
}

BOOST_AUTO_TEST_CASE(gelu_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  for (auto sizes : {shape{1}, shape{1000}, shape{3, 77, 130}}) {
    std::mt19937 rng{1};
    auto x = random_tensor(sizes, rng, 6.0f); // the tails of erf too
    auto y = tensor::empty(sizes), g_y = tensor::empty(sizes, dtype::f32, test::gpu);
    ops::gelu_forward(y, x);
    gpu_ops::gelu_forward(g_y, on_gpu(x), s);
    expect_near(name("gelu_forward", sizes), s, g_y, y, test::f32_threshold);
    auto dy = random_tensor(sizes, rng);
    for (auto write : {ops::grad_write::accumulate, ops::grad_write::overwrite}) {
      auto dx = random_tensor(sizes, rng);
      auto g_dx = on_gpu(dx);
      ops::gelu_backward(dx, dy, x, write);
      gpu_ops::gelu_backward(g_dx, on_gpu(dy), on_gpu(x), s, write);
      expect_near(name("gelu_backward", sizes), s, g_dx, dx, test::f32_threshold);
    }
  }
}

BOOST_AUTO_TEST_CASE(layernorm_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  for (auto sizes : {shape{1, 2}, shape{5, 7}, shape{64, 768}, shape{3, 33, 100}}) {
    std::mt19937 rng{7};
    auto c = sizes.dim(-1), n = sizes.numel() / c;
    auto x = random_tensor(sizes, rng, 0.5f, 20.0f); // a large offset: the variance test
    auto w = random_tensor({c}, rng), b = random_tensor({c}, rng);
    auto y = tensor::empty(sizes), mean = tensor::empty({n}), rstd = tensor::empty({n});
    ops::layernorm_forward(y, mean, rstd, x, w, b, 1e-12f);
    auto g_y = tensor::empty(sizes, dtype::f32, test::gpu);
    auto g_mean = tensor::empty({n}, dtype::f32, test::gpu);
    auto g_rstd = tensor::empty({n}, dtype::f32, test::gpu);
    auto g_x = on_gpu(x), g_w = on_gpu(w);
    gpu_ops::layernorm_forward(g_y, g_mean, g_rstd, g_x, g_w, on_gpu(b), 1e-12f, s);
    expect_near(name("layernorm_forward", sizes), s, g_y, y, test::f32_threshold);
    expect_near(name("layernorm_forward/rstd", sizes), s, g_rstd, rstd, test::f32_threshold);
    auto dy = random_tensor(sizes, rng), dx = random_tensor(sizes, rng);
    auto dw = random_tensor({c}, rng), db = random_tensor({c}, rng);
    auto g_dx = on_gpu(dx), g_dw = on_gpu(dw), g_db = on_gpu(db);
    ops::layernorm_backward(dx, dw, db, dy, x, w, mean, rstd);
    gpu_ops::layernorm_backward(g_dx, g_dw, g_db, on_gpu(dy), g_x, g_w, g_mean, g_rstd, s);
    // dinp subtracts two means of similar size: allow more than one f32 rounding.
    expect_near(name("layernorm_backward/dinp", sizes), s, g_dx, dx, 1e-4);
    expect_near(name("layernorm_backward/dweight", sizes), s, g_dw, dw, test::f32_threshold);
    expect_near(name("layernorm_backward/dbias", sizes), s, g_db, db, test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(softmax_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  for (auto sizes : {shape{1, 1}, shape{7, 13}, shape{64, 1000}}) {
    std::mt19937 rng{3};
    auto x = random_tensor(sizes, rng, 30.0f); // large logits: the max subtraction matters
    auto y = tensor::empty(sizes), g_y = tensor::empty(sizes, dtype::f32, test::gpu);
    ops::softmax_forward(y, x);
    gpu_ops::softmax_forward(g_y, on_gpu(x), s);
    expect_near(name("softmax_forward", sizes), s, g_y, y, test::f32_threshold);
    auto dy = random_tensor(sizes, rng), dx = random_tensor(sizes, rng);
    auto g_dx = on_gpu(dx);
    ops::softmax_backward(dx, dy, y);
    gpu_ops::softmax_backward(g_dx, on_gpu(dy), on_gpu(y), s);
    expect_near(name("softmax_backward", sizes), s, g_dx, dx, test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(embedding_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  struct dims { std::int64_t b, t, c, vocab, positions, types; };
  for (auto d : {dims{1, 1, 4, 3, 2, 0}, dims{2, 9, 16, 5, 12, 2}, dims{4, 128, 768, 1000, 512, 2}}) {
    std::mt19937 rng{5};
    auto ids = random_ids({d.b, d.t}, rng, int(d.vocab)); // few ids: rows repeat
    auto types = d.types ? random_ids({d.b, d.t}, rng, int(d.types)) : tensor{};
    auto wte = random_tensor({d.vocab, d.c}, rng), wpe = random_tensor({d.positions, d.c}, rng);
    auto wtt = d.types ? random_tensor({d.types, d.c}, rng) : tensor{};
    auto g_ids = on_gpu(ids), g_types = d.types ? on_gpu(types) : tensor{};
    auto out = tensor::empty({d.b, d.t, d.c});
    auto g_out = tensor::empty(out.sizes(), dtype::f32, test::gpu);
    ops::embedding_forward(out, ids, types, wte, wpe, wtt);
    gpu_ops::embedding_forward(g_out, g_ids, g_types, on_gpu(wte), on_gpu(wpe),
                               d.types ? on_gpu(wtt) : tensor{}, s);
    expect_near(name("embedding_forward", out.sizes()), s, g_out, out, test::f32_threshold);
    auto dout = random_tensor(out.sizes(), rng);
    auto dwte = random_tensor(wte.sizes(), rng), dwpe = random_tensor(wpe.sizes(), rng);
    auto dwtt = d.types ? random_tensor(wtt.sizes(), rng) : tensor{};
    auto g_dwte = on_gpu(dwte), g_dwpe = on_gpu(dwpe), g_dwtt = d.types ? on_gpu(dwtt) : tensor{};
    ops::embedding_backward(dwte, dwpe, dwtt, dout, ids, types);
    gpu_ops::embedding_backward(g_dwte, g_dwpe, g_dwtt, on_gpu(dout), g_ids, g_types, s);
    expect_near(name("embedding_backward/dwte", dwte.sizes()), s, g_dwte, dwte, test::f32_threshold);
    expect_near(name("embedding_backward/dwpe", dwpe.sizes()), s, g_dwpe, dwpe, test::f32_threshold);
    if (d.types)
      expect_near(name("embedding_backward/dwtt", dwtt.sizes()), s, g_dwtt, dwtt,
                  test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(embedding_flags_an_out_of_range_id_on_synchronize) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  auto ids = on_gpu(test::i32_tensor({1, 2}, {0, 7}));
  auto wte = on_gpu(tensor::full({3, 4}, 1.0f)), wpe = on_gpu(tensor::full({2, 4}, 1.0f));
  auto out = tensor::empty({1, 2, 4}, dtype::f32, test::gpu);
  gpu_ops::embedding_forward(out, ids, tensor{}, wte, wpe, tensor{}, s);
  BOOST_CHECK_THROW(s.synchronize(), ops::op_error);
  s.synchronize(); // the flag is cleared once reported
}

BOOST_AUTO_TEST_CASE(cross_entropy_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  struct dims { std::int64_t n, v; };
  for (auto d : {dims{1, 1}, dims{6, 3}, dims{512, 30522}}) {
    std::mt19937 rng{11};
    auto logits = random_tensor({d.n, d.v}, rng, 8.0f);
    auto targets = random_ids({d.n}, rng, int(d.v));
    if (d.n > 1)
      targets.data<std::int32_t>()[1] = -100; // an ignored row
    auto losses = tensor::empty({d.n}), probs = tensor::empty({d.n, d.v});
    auto g_losses = tensor::empty({d.n}, dtype::f32, test::gpu);
    auto g_probs = tensor::empty({d.n, d.v}, dtype::f32, test::gpu);
    auto g_targets = on_gpu(targets);
    float loss = ops::cross_entropy_forward(losses, probs, logits, targets);
    float g_loss = gpu_ops::cross_entropy_forward(g_losses, g_probs, on_gpu(logits), g_targets, s);
    BOOST_TEST(std::fabs(g_loss - loss) <= 1e-5f * std::max(1.0f, std::fabs(loss)));
    expect_near(name("cross_entropy_forward/losses", losses.sizes()), s, g_losses, losses,
                test::f32_threshold);
    expect_near(name("cross_entropy_forward/probs", probs.sizes()), s, g_probs, probs,
                test::f32_threshold);
    auto dlogits = random_tensor(logits.sizes(), rng);
    auto g_dlogits = on_gpu(dlogits);
    ops::cross_entropy_backward(dlogits, probs, targets, 0.5f);
    gpu_ops::cross_entropy_backward(g_dlogits, g_probs, g_targets, 0.5f, s);
    expect_near(name("cross_entropy_backward", dlogits.sizes()), s, g_dlogits, dlogits,
                test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(cross_entropy_rejects_a_bad_target_and_ignores_all_ignored_rows) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  auto logits = on_gpu(tensor::full({2, 3}, 0.5f));
  auto losses = tensor::empty({2}, dtype::f32, test::gpu);
  auto probs = tensor::empty({2, 3}, dtype::f32, test::gpu);
  BOOST_CHECK_THROW(gpu_ops::cross_entropy_forward(losses, probs, logits,
                                                   on_gpu(test::i32_tensor({2}, {0, 3})), s),
                    ops::op_error);
  auto ignored = on_gpu(test::i32_tensor({2}, {-100, -100}));
  BOOST_TEST(gpu_ops::cross_entropy_forward(losses, probs, logits, ignored, s) == 0.0f);
}

BOOST_AUTO_TEST_CASE(dropout_masks_equal_the_cpu_masks_bit_for_bit) {
  // 1-D (an example per element), rows of a length that is no multiple of 4, and the
  // (B,T,C) hidden states of a batch; example keys with high bits set.
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  for (const shape& sizes : {shape{1}, shape{1001}, shape{std::int64_t{1} << 20}, shape{3, 5, 7},
                             shape{16, 128, 96}}) {
    std::mt19937 rng{13};
    auto x = random_tensor(sizes, rng);
    ops::dropout_spec spec{0.1f, 1234, 77, (std::uint64_t{5} << 40) | 12345};
    auto y = tensor::empty(sizes), g_y = tensor::empty(sizes, dtype::f32, test::gpu);
    ops::dropout_forward(y, x, spec);
    gpu_ops::dropout_forward(g_y, on_gpu(x), spec, s);
    s.synchronize();
    auto host = g_y.to(device::cpu());
    BOOST_TEST(std::memcmp(host.raw(), y.raw(), y.nbytes()) == 0, "dropout_forward " << x.describe());
    auto dx = random_tensor(sizes, rng);
    auto g_dx = on_gpu(dx);
    ops::dropout_backward(dx, x, spec);
    gpu_ops::dropout_backward(g_dx, on_gpu(x), spec, s);
    expect_near("dropout_backward " + x.describe(), s, g_dx, dx, test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(attention_matches_cpu) {
  struct dims { std::int64_t b, t, c; int nh; float p; };
  for (auto precision : all_precisions) {
    test::ordered_stream ordered{precision};
    const auto& s = ordered.ops;
    const double tol = test::gemm_threshold(precision);
    for (auto d : {dims{1, 1, 4, 1, 0.0f}, dims{2, 5, 8, 2, 0.1f}, dims{3, 17, 48, 4, 0.0f},
                   dims{2, 128, 768, 12, 0.1f}}) {
      std::mt19937 rng{17};
      auto qkv = random_tensor({d.b, d.t, 3 * d.c}, rng);
      auto mask = attention_mask(d.b, d.t);
      ops::dropout_spec drop{d.p, 99, 3, 1000};
      auto out = tensor::empty({d.b, d.t, d.c}), probs = tensor::empty({d.b, d.nh, d.t, d.t});
      auto g_out = tensor::empty(out.sizes(), dtype::f32, test::gpu);
      auto g_probs = tensor::empty(probs.sizes(), dtype::f32, test::gpu);
      auto g_qkv = on_gpu(qkv), g_mask = on_gpu(mask);
      ops::attention_forward(out, probs, qkv, mask, d.nh, drop);
      gpu_ops::attention_forward(g_out, g_probs, g_qkv, g_mask, d.nh, drop, s);
      expect_near(name("attention_forward/out", out.sizes(), precision), s, g_out, out, tol);
      expect_near(name("attention_forward/probs", probs.sizes(), precision), s, g_probs, probs,
                  tol);
      auto dout = random_tensor(out.sizes(), rng), dqkv = random_tensor(qkv.sizes(), rng);
      auto g_dqkv = on_gpu(dqkv);
      ops::attention_backward(dqkv, dout, qkv, probs, mask, d.nh, drop);
      gpu_ops::attention_backward(g_dqkv, on_gpu(dout), g_qkv, g_probs, g_mask, d.nh, drop, s);
      expect_near(name("attention_backward", dqkv.sizes(), precision), s, g_dqkv, dqkv, tol);
    }
  }
}

BOOST_AUTO_TEST_CASE(flash_attention_matches_cpu) {
  // fp32 on CUDA cores: the f32 threshold. Head sizes 4 to 128 (a lane owns up to four
  // dimensions), T below, at and above a 32-row tile, masks as in attention_matches_cpu
  // (a padded sequence, an entirely masked one), dropout on and off, += and overwrite.
  struct dims { std::int64_t b, t, c; int nh; float p; };
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  for (auto d : {dims{1, 1, 4, 1, 0.0f}, dims{2, 5, 8, 2, 0.1f}, dims{3, 33, 48, 4, 0.0f},
                 dims{2, 32, 256, 2, 0.2f}, dims{2, 128, 768, 12, 0.1f}}) {
    std::mt19937 rng{19};
    auto qkv = random_tensor({d.b, d.t, 3 * d.c}, rng);
    auto mask = attention_mask(d.b, d.t);
    ops::dropout_spec drop{d.p, 99, 3, 1000};
    auto out = tensor::empty({d.b, d.t, d.c}), probs = tensor::empty({d.b, d.nh, d.t, d.t});
    ops::attention_forward(out, probs, qkv, mask, d.nh, drop);
    auto g_out = tensor::empty(out.sizes(), dtype::f32, test::gpu);
    auto g_lse = tensor::empty({d.b, d.nh, d.t}, dtype::f32, test::gpu);
    auto g_qkv = on_gpu(qkv), g_mask = on_gpu(mask);
    gpu_ops::flash_attention_forward(g_out, g_lse, g_qkv, g_mask, d.nh, drop, s);
    expect_near(name("flash_attention_forward", out.sizes()), s, g_out, out, test::f32_threshold);
    auto dout = random_tensor(out.sizes(), rng), dqkv = random_tensor(qkv.sizes(), rng);
    auto g_dqkv = on_gpu(dqkv), g_dout = on_gpu(dout);
    auto g_fresh = tensor::empty(qkv.sizes(), dtype::f32, test::gpu);
    gpu_ops::flash_attention_backward(g_fresh, g_dout, g_out, g_qkv, g_lse, g_mask, d.nh, drop,
                                      s, ops::grad_write::overwrite);
    auto fresh = tensor::zeros(qkv.sizes());
    ops::attention_backward(fresh, dout, qkv, probs, mask, d.nh, drop);
    expect_near(name("flash_attention_backward/overwrite", qkv.sizes()), s, g_fresh, fresh,
                test::f32_threshold);
    ops::attention_backward(dqkv, dout, qkv, probs, mask, d.nh, drop);
    gpu_ops::flash_attention_backward(g_dqkv, g_dout, g_out, g_qkv, g_lse, g_mask, d.nh, drop, s);
    expect_near(name("flash_attention_backward", qkv.sizes()), s, g_dqkv, dqkv,
                test::f32_threshold);
  }
  auto qkv = on_gpu(tensor::zeros({1, 4, 3 * 160})); // head size 160 > 128
  auto out = tensor::empty({1, 4, 160}, dtype::f32, test::gpu);
  auto lse = tensor::empty({1, 1, 4}, dtype::f32, test::gpu);
  BOOST_CHECK_THROW(gpu_ops::flash_attention_forward(out, lse, qkv, {}, 1, {}, s), ops::op_error);
}

BOOST_AUTO_TEST_CASE(gather_rows_matches_cpu_and_flags_a_bad_index) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  std::mt19937 rng{23};
  auto table = random_tensor({4, 9, 33}, rng); // 36 rows of 33
  auto index = tensor::empty({20}, dtype::i32);
  for (std::int64_t k = 0; k < 20; ++k)
    index.data<std::int32_t>()[k] = int(rng() % 36u); // repeats add up in backward
  auto rows = tensor::empty({20, 33}), g_rows = tensor::empty({20, 33}, dtype::f32, test::gpu);
  ops::gather_rows_forward(rows, table, index);
  auto g_index = on_gpu(index);
  gpu_ops::gather_rows_forward(g_rows, on_gpu(table), g_index, s);
  expect_near("gather_rows_forward", s, g_rows, rows, 0.0);
  auto dtable = random_tensor(table.sizes(), rng), drows = random_tensor({20, 33}, rng);
  auto g_dtable = on_gpu(dtable);
  ops::gather_rows_backward(dtable, drows, index);
  gpu_ops::gather_rows_backward(g_dtable, on_gpu(drows), g_index, s);
  expect_near("gather_rows_backward", s, g_dtable, dtable, test::f32_threshold);
  index.data<std::int32_t>()[3] = 36;
  gpu_ops::gather_rows_forward(g_rows, on_gpu(table), on_gpu(index), s);
  BOOST_CHECK_THROW(s.synchronize(), ops::op_error);
}

BOOST_AUTO_TEST_CASE(entity_fusion_matches_cpu_and_refuses_a_bad_id) {
  for (auto precision : all_precisions) {
    test::ordered_stream ordered{precision};
    const auto& s = ordered.ops;
    const double tol = test::gemm_threshold(precision);
    std::mt19937 rng{37};
    const std::int64_t b = 3, t = 11, c = 48, e = 13, d = 20;
    auto entities = tensor::full({b, t}, -1.0f).to(dtype::i32);
    for (std::int64_t k = 0; k < b * t; k += 3)
      entities.data<std::int32_t>()[k] = std::int32_t(k % e); // repeats, and unlinked rows
    auto ent = random_tensor({e, d}, rng), w = random_tensor({c, d}, rng, 0.2f);
    auto bias = random_tensor({c}, rng), out = random_tensor({b, t, c}, rng);
    auto g_out = on_gpu(out), g_ids = on_gpu(entities), g_ent = on_gpu(ent), g_w = on_gpu(w);
    ops::entity_fusion_forward(out, entities, ent, w, bias);
    gpu_ops::entity_fusion_forward(g_out, g_ids, g_ent, g_w, on_gpu(bias), s);
    expect_near(std::string{"entity_fusion_forward/"} + test::precision_name(precision), s,
                g_out, out, tol);
    auto dout = random_tensor({b, t, c}, rng), dw = random_tensor({c, d}, rng);
    auto db = random_tensor({c}, rng), dent = random_tensor({e, d}, rng);
    auto g_dw = on_gpu(dw), g_db = on_gpu(db), g_dent = on_gpu(dent);
    ops::entity_fusion_backward(dent, dw, db, dout, entities, ent, w);
    gpu_ops::entity_fusion_backward(g_dent, g_dw, g_db, on_gpu(dout), g_ids, g_ent, g_w, s);
    expect_near("entity_fusion_backward/dent", s, g_dent, dent, tol);
    expect_near("entity_fusion_backward/dweight", s, g_dw, dw, tol);
    expect_near("entity_fusion_backward/dbias", s, g_db, db, test::f32_threshold);
    entities.data<std::int32_t>()[4] = std::int32_t(e);
    BOOST_CHECK_THROW(gpu_ops::entity_fusion_forward(g_out, on_gpu(entities), g_ent, g_w,
                                                     on_gpu(bias), s),
                      ops::op_error);
  }
}

BOOST_AUTO_TEST_CASE(adamw_matches_cpu_over_three_steps) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  std::mt19937 rng{19};
  auto p = random_tensor({1000, 7}, rng), m = tensor::zeros({1000, 7}), v = tensor::zeros({1000, 7});
  auto g_p = on_gpu(p), g_m = on_gpu(m), g_v = on_gpu(v);
  ops::adamw_hparams hp{2e-3f, 0.9f, 0.999f, 1e-8f, 0.01f};
  for (std::int64_t step = 1; step <= 3; ++step) {
    auto grad = random_tensor(p.sizes(), rng);
    ops::adamw_update(p, grad, m, v, hp, step);
    gpu_ops::adamw_update(g_p, on_gpu(grad), g_m, g_v, hp, step, s);
  }
  expect_near("adamw/param", s, g_p, p, test::f32_threshold);
  expect_near("adamw/m", s, g_m, m, test::f32_threshold);
  expect_near("adamw/v", s, g_v, v, test::f32_threshold);
}

BOOST_AUTO_TEST_CASE(clip_grad_norm_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  for (float max_norm : {0.0f, 1.0f, 1e6f}) {
    std::mt19937 rng{23};
    std::vector<tensor> grads{random_tensor({300, 5}, rng), random_tensor({1}, rng),
                              random_tensor({70001}, rng)};
    std::vector<tensor> g_grads;
    for (const auto& g : grads)
      g_grads.push_back(on_gpu(g));
    float norm = ops::clip_grad_norm(grads, max_norm);
    float g_norm = gpu_ops::clip_grad_norm(g_grads, max_norm, s);
    BOOST_TEST(std::fabs(g_norm - norm) <= 1e-6f * norm);
    for (std::size_t k = 0; k < grads.size(); ++k)
      expect_near("clip_grad_norm/grad" + std::to_string(k), s, g_grads[k], grads[k],
                  test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(elementwise_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  std::mt19937 rng{29};
  auto a = random_tensor({33, 65}, rng), b = random_tensor({33, 65}, rng);
  auto g_a = on_gpu(a), g_b = on_gpu(b);
  ops::add_into(a, b);
  gpu_ops::add_into(g_a, g_b, s);
  expect_near("add_into", s, g_a, a, 0.0);
  auto g_c = tensor::empty(a.sizes(), dtype::f32, test::gpu);
  gpu_ops::copy_into(g_c, g_a, s);
  expect_near("copy_into", s, g_c, a, 0.0);
  gpu_ops::zero_fill(g_c, s);
  expect_near("zero_fill", s, g_c, tensor::zeros(a.sizes()), 0.0);
}

BOOST_AUTO_TEST_CASE(first_rows_and_pooler_match_cpu) {
  for (auto precision : all_precisions) {
    test::ordered_stream ordered{precision};
    const auto& s = ordered.ops;
    for (auto [b, t, c] : {std::array<std::int64_t, 3>{1, 1, 3}, {5, 7, 16}, {32, 128, 768}}) {
      std::mt19937 rng{31};
      auto inp = random_tensor({b, t, c}, rng), dout = random_tensor({b, c}, rng);
      auto w = random_tensor({c, c}, rng, 0.1f), bias = random_tensor({c}, rng);
      auto g_inp = on_gpu(inp);
      if (precision == gemm_precision::f32) { // no GEMM: once is enough
        auto rows = tensor::empty({b, c}), g_rows = tensor::empty({b, c}, dtype::f32, test::gpu);
        ops::first_rows_forward(rows, inp);
        gpu_ops::first_rows_forward(g_rows, g_inp, s);
        expect_near(name("first_rows_forward", inp.sizes()), s, g_rows, rows, 0.0);
        auto dinp = random_tensor({b, t, c}, rng);
        auto g_dinp = on_gpu(dinp);
        ops::first_rows_backward(dinp, dout);
        gpu_ops::first_rows_backward(g_dinp, on_gpu(dout), s);
        expect_near(name("first_rows_backward", inp.sizes()), s, g_dinp, dinp, test::f32_threshold);
      }
      const double tol = test::gemm_threshold(precision);
      auto out = tensor::empty({b, c}), g_out = tensor::empty({b, c}, dtype::f32, test::gpu);
      ops::pooler_forward(out, inp, w, bias);
      gpu_ops::pooler_forward(g_out, g_inp, on_gpu(w), on_gpu(bias), s);
      expect_near(name("pooler_forward", inp.sizes(), precision), s, g_out, out, tol);
      auto dinp = random_tensor({b, t, c}, rng), dw = random_tensor({c, c}, rng);
      auto db = random_tensor({c}, rng);
      auto g_dinp = on_gpu(dinp), g_dw = on_gpu(dw), g_db = on_gpu(db);
      ops::pooler_backward(dinp, dw, db, dout, inp, w, out);
      gpu_ops::pooler_backward(g_dinp, g_dw, g_db, on_gpu(dout), g_inp, on_gpu(w), on_gpu(out), s);
      expect_near(name("pooler_backward/dinp", inp.sizes(), precision), s, g_dinp, dinp, tol);
      expect_near(name("pooler_backward/dweight", inp.sizes(), precision), s, g_dw, dw, tol);
      expect_near(name("pooler_backward/dbias", inp.sizes(), precision), s, g_db, db,
                  test::f32_threshold);
    }
  }
}

// Documents of 3, 1, 0 and 5 windows (one without any: it pools to zeros and passes no
// gradient), and of a long document's 200 windows at BERT-base's width.
BOOST_AUTO_TEST_CASE(window_pooling_matches_cpu) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  const std::vector<std::vector<std::int32_t>> layouts{{0, 3, 4, 4, 9}, {0, 200}};
  for (const auto& layout : layouts) {
    const auto d = static_cast<std::int64_t>(layout.size()) - 1, n = std::int64_t{layout.back()};
    const std::int64_t c = d > 1 ? 16 : 768;
    std::mt19937 rng{47};
    auto offsets = tensor::empty({d + 1}, dtype::i32);
    std::memcpy(offsets.raw(), layout.data(), layout.size() * sizeof(std::int32_t));
    auto inp = random_tensor({n, c}, rng), dout = random_tensor({d, c}, rng);
    auto query = random_tensor({c}, rng, 0.5f);
    auto g_inp = on_gpu(inp), g_offsets = on_gpu(offsets), g_dout = on_gpu(dout);
    const shape sizes{n, c};
    // mean
    auto out = tensor::empty({d, c}), g_out = tensor::empty({d, c}, dtype::f32, test::gpu);
    ops::mean_pool_forward(out, inp, offsets);
    gpu_ops::mean_pool_forward(g_out, g_inp, g_offsets, s);
    expect_near(name("mean_pool_forward", sizes), s, g_out, out, test::f32_threshold);
    auto dinp = random_tensor({n, c}, rng);
    auto g_dinp = on_gpu(dinp);
    ops::mean_pool_backward(dinp, dout, offsets);
    gpu_ops::mean_pool_backward(g_dinp, g_dout, g_offsets, s);
    expect_near(name("mean_pool_backward", sizes), s, g_dinp, dinp, test::f32_threshold);
    // attention
    auto probs = tensor::empty({n}), g_probs = tensor::empty({n}, dtype::f32, test::gpu);
    ops::attention_pool_forward(out, probs, inp, query, offsets);
    gpu_ops::attention_pool_forward(g_out, g_probs, g_inp, on_gpu(query), g_offsets, s);
    expect_near(name("attention_pool_forward", sizes), s, g_out, out, test::f32_threshold);
    expect_near(name("attention_pool_forward/probs", sizes), s, g_probs, probs,
                test::f32_threshold);
    auto dquery = random_tensor({c}, rng);
    auto g_dinp2 = on_gpu(dinp), g_dquery = on_gpu(dquery);
    ops::attention_pool_backward(dinp, dquery, dout, inp, query, probs, offsets);
    gpu_ops::attention_pool_backward(g_dinp2, g_dquery, g_dout, g_inp, on_gpu(query), g_probs,
                                     g_offsets, s);
    expect_near(name("attention_pool_backward/dinp", sizes), s, g_dinp2, dinp,
                test::f32_threshold);
    expect_near(name("attention_pool_backward/dquery", sizes), s, g_dquery, dquery,
                test::f32_threshold);
  }
}

BOOST_AUTO_TEST_CASE(ops_reject_host_tensors_with_a_clear_message) {
  test::ordered_stream ordered;
  const auto& s = ordered.ops;
  auto host = tensor::full({2, 2}, 1.0f);
  BOOST_CHECK_EXCEPTION(gpu_ops::gelu_forward(host, host, s), ops::op_error,
                        [](const ops::op_error& e) {
                          return std::string{e.what()}.find("expected it on cuda:0")
                                 != std::string::npos;
                        });
}

BOOST_AUTO_TEST_SUITE_END()
