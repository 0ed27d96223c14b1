// Entry point of the GPU tests: exits with 77 (ctest: Skipped) when no CUDA device is
// present, so CI machines without a GPU compile these tests and skip them.
#define BOOST_TEST_MODULE axon_cuda
#define BOOST_TEST_NO_MAIN
#include "runtime/cuda/check.hpp"

#include <boost/test/unit_test.hpp>

#include <iostream>

int main(int argc, char* argv[]) {
  if (axon::cuda::device_count() == 0) {
    std::cout << "no CUDA device: skipping the GPU tests (exit 77)\n";
    return 77;
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
