// Device memory on a real GPU: tensor::to round trips (through the pinned staging, in
// several chunks), device-to-device clones, zero_, the caching allocator's reuse, and the
// error for a device that does not exist.
#include "cuda_compare.hpp"

#include "runtime/cuda/device_memory.hpp"
#include "runtime/cuda/stream.hpp"
#include "test/ops/op_test_util.hpp"

#include <cstring>
#include <stdexcept>

using namespace axon;

BOOST_AUTO_TEST_SUITE(cuda_device_memory)

BOOST_AUTO_TEST_CASE(round_trips_are_exact) {
  std::mt19937 rng{31};
  for (std::int64_t n : {std::int64_t{0}, std::int64_t{1}, std::int64_t{5} << 20}) {
    // 5 Mi floats = 20 MiB: three chunks of the 8 MiB pinned staging buffers
    auto host = test::random_tensor({n}, rng);
    auto dev = host.to(test::gpu);
    BOOST_TEST((dev.where() == test::gpu));
    BOOST_TEST(dev.describe().ends_with("@cuda:0"));
    auto copy = dev.clone(); // device to device
    auto back = copy.to(device::cpu());
    BOOST_TEST(std::memcmp(back.raw(), host.raw(), host.nbytes()) == 0, "n=" << n);
  }
}

BOOST_AUTO_TEST_CASE(zero_clears_device_memory) {
  auto dev = tensor::full({1000}, 3.0f).to(test::gpu);
  dev.zero_();
  auto back = dev.to(device::cpu());
  for (std::int64_t i = 0; i < 1000; ++i)
    BOOST_REQUIRE(back.data<float>()[i] == 0.0f);
  BOOST_CHECK_THROW(dev.fill_(1.0f), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(freed_blocks_are_reused_on_the_same_stream) {
  axon::cuda::stream stream;
  axon::cuda::stream_guard guard{stream.get()};
  void* first = nullptr;
  {
    auto t = tensor::empty({1000, 1000}, dtype::f32, test::gpu);
    first = t.raw();
  }
  auto before = axon::cuda::memory_statistics(0);
  auto again = tensor::empty({1000, 1000}, dtype::f32, test::gpu);
  BOOST_TEST(again.raw() == first);
  BOOST_TEST(axon::cuda::memory_statistics(0).cache_hits == before.cache_hits + 1);
}

BOOST_AUTO_TEST_CASE(a_missing_device_is_a_clear_error) {
  BOOST_CHECK_EXCEPTION(tensor::empty({4}, dtype::f32, device::cuda(99)), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string{e.what()}.find("cuda:99 does not exist")
                                 != std::string::npos;
                        });
}

BOOST_AUTO_TEST_SUITE_END()
