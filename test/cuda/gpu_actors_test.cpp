// The BERT actor graph with stages and optimizers on the GPU trains like the same graph on
// the CPU (the specification): all actors on the device, and a mixed placement whose
// edges cross between host and device; so does a long-document job, in both of its modes;
// a device tensor written to the wire arrives as the same host tensor (what an edge to
// another process carries).
#include "runtime/graph/tensor_inspect.hpp"
#include "cuda_compare.hpp"
#include "graphs/bert/bert_pipeline.hpp"
#include "test/actors/actor_test_support.hpp"
#include "test/actors/document_jobs.hpp"
#include "test/ops/op_test_util.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace axon;

namespace {

constexpr std::int64_t rows = 8, cols = 12;

std::vector<double> train(caf::actor_system& sys, const bert::job_layout& job, int steps) {
  bert::pipeline p{sys, job};
  test::require_ok(p.init_params());
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s)
    losses.push_back(
      test::train_step(p, test::random_batch(200 + s, rows, cols, 60, 3), s, 1e-3f).first);
  return losses;
}

void expect_same_losses(const std::vector<double>& got, const std::vector<double>& want,
                        double tol, const std::string& what) {
  for (std::size_t s = 0; s < want.size(); ++s)
    BOOST_TEST(std::fabs(got[s] - want[s]) <= tol * std::fabs(want[s]),
               what << " step " << s << ": " << got[s] << " vs " << want[s] << " on the CPU");
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(gpu_actors, test::actor_fixture)

BOOST_AUTO_TEST_CASE(an_actor_graph_on_the_gpu_trains_like_it_does_on_the_cpu) {
  auto job = test::tiny_job(2, 2, 2);
  job.model.hidden_dropout = job.model.attention_dropout = 0.1f;
  const auto want = train(sys, job, 6);
  auto gpu = job;
  gpu.devices = {{"*", test::gpu}};
  expect_same_losses(train(sys, gpu, 6), want, 1e-4, "all on cuda:0");
  auto mixed = job; // stage 0 and optimizer 1 on the device; stage 1 and optimizer 0 not
  mixed.devices = {{"shard*.stage0", test::gpu}, {"optimizer1", test::gpu}};
  expect_same_losses(train(sys, mixed, 6), want, 1e-4, "mixed");
  auto bf16 = gpu;
  bf16.precision = ops::gemm_precision::bf16;
  expect_same_losses(train(sys, bf16, 6), want, 5e-2, "all on cuda:0, bf16");
  auto fused = gpu;
  fused.attention = ops::attention_kernel::fused;
  expect_same_losses(train(sys, fused, 6), want, 1e-4, "all on cuda:0, fused attention");
}

// A long-document job (data.long-text = chunk) on 2 stages x 2 shards x 2 micro-batches,
// every actor on cuda:0: whole documents per micro-batch, and windows mode (at most 2
// windows a micro-batch: [CLS] rows to the coordinator, the document head on shard 0's
// head stage, the windows' second pass), for mean and attention pooling.
BOOST_AUTO_TEST_CASE(a_document_graph_on_the_gpu_trains_like_it_does_on_the_cpu) {
  for (auto pooling : {bert::window_pooling::mean, bert::window_pooling::attention})
    for (int micro_windows : {64, 2}) {
      auto job = test::document_job(2, 2, 2, pooling, micro_windows);
      const auto [want, cpu_windows_steps] = test::train_actors(sys, job, 4);
      job.devices = {{"*", test::gpu}};
      const auto [got, gpu_windows_steps] = test::train_actors(sys, job, 4);
      const std::string what = std::string{bert::to_string(pooling)} + ", micro-windows "
                               + std::to_string(micro_windows);
      expect_same_losses(got, want, 1e-4, what);
      BOOST_TEST(gpu_windows_steps == cpu_windows_steps, what);
      BOOST_TEST((gpu_windows_steps > 0) == (micro_windows == 2), what);
    }
}

BOOST_AUTO_TEST_CASE(sliced_optimizers_on_the_gpu_assemble_parameters_on_the_device) {
  auto job = test::tiny_job(2, 1, 2);
  job.optimizer_slices = 2;
  const auto want = train(sys, job, 4);
  job.devices = {{"*", test::gpu}};
  expect_same_losses(train(sys, job, 4), want, 1e-4, "sliced, on cuda:0");
}

BOOST_AUTO_TEST_CASE(a_device_tensor_goes_on_the_wire_as_its_host_copy) {
  std::mt19937 rng{5};
  auto host = test::random_tensor({3, 7}, rng);
  auto on_device = host.to(test::gpu);
  std::vector<char> bytes;
  caf::binary_serializer sink{sys, bytes};
  BOOST_REQUIRE(!sink(on_device));
  tensor received;
  caf::binary_deserializer source{sys, bytes};
  BOOST_REQUIRE(!source(received));
  BOOST_TEST((received.where() == device::cpu()));
  BOOST_TEST((received.sizes() == host.sizes()));
  BOOST_TEST(test::normalised_error(received, host) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
