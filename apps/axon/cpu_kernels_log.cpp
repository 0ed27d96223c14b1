#include "apps/axon/cpu_kernels_log.hpp"

#include "ops/cpu/cpu_kernels.hpp"

#include <exception>
#include <iostream>

namespace axon::app {

bool choose_cpu_kernels(std::string_view command, kernel_log log) {
  try {
    const auto& kernels = ops::cpu_kernels();
    if (log == kernel_log::summary)
      std::cerr << command << ": " << kernels.summary() << '\n';
    if (!kernels.warning.empty())
      std::cerr << command << ": warning: " << kernels.warning << '\n';
    return true;
  } catch (const std::exception& e) {
    std::cerr << command << ": " << e.what() << '\n';
    return false;
  }
}

} // namespace axon::app
