// Linked into the reference tests that ctest also runs under named CPU kernels
// (axon_add_kernel_variants in test/CMakeLists.txt): kernels beyond this CPU skip the run
// (exit 77) instead of failing it; otherwise the log names the kernels the run used.
#include "ops/cpu/cpu_kernels.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <iostream>

namespace {

struct kernel_variant_check {
  kernel_variant_check() {
    try {
      const auto summary = axon::ops::cpu_kernels().summary();
      std::cout << "kernels: " << summary << '\n';
    } catch (const std::exception& e) {
      std::cout << "skipped: " << e.what() << '\n';
      std::exit(77);
    }
  }
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(kernel_variant_check);
