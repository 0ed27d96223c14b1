// ops::compute and ops/dispatch.hpp on the host (the GPU side is in test/cuda): where a
// compute runs, the errors for a device out of reach or a precision the host lacks, and
// the dispatched ops being the CPU ops. Also first_rows, the [CLS] gather and its adjoint.
#include "ops/compute.hpp"
#include "ops/cpu/first_rows.hpp"
#include "ops/cpu/gather_rows.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/dispatch.hpp"
#include "ops/op_error.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon;
using ops::gemm_precision;

BOOST_AUTO_TEST_SUITE(compute_suite)

BOOST_AUTO_TEST_CASE(the_default_compute_is_the_host) {
  ops::compute host;
  BOOST_TEST(host.on_host());
  BOOST_TEST((host.where() == device::cpu()));
  BOOST_TEST((host.precision() == gemm_precision::f32));
  BOOST_TEST((host.attention() == ops::attention_kernel::gemm));
  BOOST_TEST((ops::dispatch::attention_state_shape(2, 3, 5, host) == shape{2, 3, 5, 5}));
  BOOST_TEST(ops::compute::on(device::cpu()).on_host());
  BOOST_CHECK_THROW(host.stream(), std::logic_error);
  host.synchronize(); // nothing queued: returns
  ops::compute_scope scope{host};
}

BOOST_AUTO_TEST_CASE(unreachable_devices_and_host_precisions_are_refused_with_a_reason) {
  // No machine has a hundredth GPU; a build without CUDA refuses every device.
  BOOST_CHECK_EXCEPTION(ops::compute::on(device::cuda(99)), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string{e.what()}.find("cannot use cuda:99")
                                 != std::string::npos;
                        });
  BOOST_CHECK_EXCEPTION(ops::compute::on(device::cpu(), gemm_precision::bf16),
                        std::invalid_argument, [](const std::invalid_argument& e) {
                          return std::string{e.what()}.find("bf16 needs a CUDA device")
                                 != std::string::npos;
                        });
  BOOST_CHECK_THROW(
    ops::compute::on(device::cpu(), gemm_precision::f32, ops::attention_kernel::fused),
    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(precision_names_round_trip) {
  for (auto p : {gemm_precision::f32, gemm_precision::tf32, gemm_precision::bf16})
    BOOST_TEST((ops::parse_gemm_precision(ops::to_string(p)) == p));
  BOOST_TEST(!ops::parse_gemm_precision("fp16").has_value());
  BOOST_TEST(!ops::parse_gemm_precision("").has_value());
}

BOOST_AUTO_TEST_CASE(dispatch_on_the_host_runs_the_cpu_ops) {
  std::mt19937 rng{3};
  auto inp = test::random_tensor({5, 8}, rng), w = test::random_tensor({6, 8}, rng);
  auto b = test::random_tensor({6}, rng);
  auto want = tensor::empty({5, 6}), got = tensor::empty({5, 6});
  ops::linear_forward(want, inp, w, b);
  ops::dispatch::linear_forward(got, inp, w, b, {});
  for (std::int64_t i = 0; i < want.numel(); ++i)
    BOOST_TEST(got.data<float>()[i] == want.data<float>()[i]);
  ops::dispatch::zero_fill(got, {});
  BOOST_TEST(got.data<float>()[29] == 0.0f);
  // The CPU op's argument checks apply.
  BOOST_CHECK_THROW(ops::dispatch::linear_forward(got, inp, w, tensor::empty({5}), {}),
                    ops::op_error);
}

BOOST_AUTO_TEST_CASE(first_rows_gathers_and_scatters_the_first_position) {
  constexpr std::int64_t b = 3, t = 4, c = 2;
  auto inp = tensor::empty({b, t, c});
  for (std::int64_t i = 0; i < inp.numel(); ++i)
    inp.data<float>()[i] = float(i);
  auto rows = tensor::empty({b, c});
  ops::first_rows_forward(rows, inp);
  for (std::int64_t r = 0; r < b; ++r)
    for (std::int64_t k = 0; k < c; ++k)
      BOOST_TEST(rows.data<float>()[r * c + k] == float(r * t * c + k));
  auto dinp = tensor::full({b, t, c}, 1.0f);
  ops::first_rows_backward(dinp, rows); // += into row 0 of each sequence only
  for (std::int64_t r = 0; r < b; ++r)
    for (std::int64_t j = 0; j < t; ++j)
      for (std::int64_t k = 0; k < c; ++k)
        BOOST_TEST(dinp.data<float>()[(r * t + j) * c + k]
                   == (j == 0 ? 1.0f + float(r * t * c + k) : 1.0f));
  BOOST_CHECK_THROW(ops::first_rows_forward(tensor::empty({b, c + 1}), inp), ops::op_error);
  BOOST_CHECK_THROW(ops::first_rows_forward(rows, tensor::empty({b, 0, c})), ops::op_error);
  BOOST_CHECK_THROW(ops::first_rows_backward(tensor::empty({b, t}), rows), ops::op_error);
}

BOOST_AUTO_TEST_CASE(gather_rows_picks_rows_and_adds_back_repeats) {
  auto table = tensor::empty({2, 3, 2}); // 6 rows of 2
  for (std::int64_t i = 0; i < table.numel(); ++i)
    table.data<float>()[i] = float(i);
  auto index = test::i32_tensor({3}, {4, 0, 4});
  auto rows = tensor::empty({3, 2});
  ops::gather_rows_forward(rows, table, index);
  const float want[] = {8, 9, 0, 1, 8, 9};
  for (int i = 0; i < 6; ++i)
    BOOST_TEST(rows.data<float>()[i] == want[i]);
  auto dtable = tensor::zeros({6, 2});
  ops::gather_rows_backward(dtable, tensor::full({3, 2}, 1.0f), index);
  BOOST_TEST(dtable.data<float>()[8] == 2.0f); // row 4 twice
  BOOST_TEST(dtable.data<float>()[0] == 1.0f);
  BOOST_TEST(dtable.data<float>()[2] == 0.0f);
  BOOST_CHECK_EXCEPTION(ops::gather_rows_forward(rows, table, test::i32_tensor({3}, {0, 6, 1})),
                        ops::op_error, [](const ops::op_error& e) {
                          return std::string{e.what()}.find("index 6 is outside [0, 6)")
                                 != std::string::npos;
                        });
  BOOST_CHECK_THROW(ops::gather_rows_forward(tensor::empty({3, 3}), table, index), ops::op_error);
}

BOOST_AUTO_TEST_SUITE_END()
